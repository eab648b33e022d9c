"""Database triggers that refuse UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) on a table.

Used by the migrations, so that the register is append-only in the database itself: a stray SQL
statement fails as surely as a bug in the library would.
"""

from __future__ import annotations

MESSAGE = "the benefits register is append-only: rows of {table} cannot be changed or removed"

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION totalplace_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the benefits register is append-only: % on % is refused; record a '
        'correction instead', TG_OP, TG_TABLE_NAME;
END;
$$
"""


def statements(dialect: str, table: str) -> list[str]:
    """The DDL that makes ``table`` append-only on ``dialect`` (``sqlite`` or ``postgresql``)."""
    if dialect == "sqlite":
        message = MESSAGE.format(table=table)
        return [
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for action in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        return [
            POSTGRESQL_FUNCTION,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION totalplace_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION totalplace_append_only()",
        ]
    raise ValueError(f"no append-only triggers for the {dialect} engine")
