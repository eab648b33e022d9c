"""Schema versions: the shipped migrations, the tables the library reads, and upgrading."""

from __future__ import annotations

import sqlalchemy as sa

from totalplace_cases.io.register import migrate, schema
from totalplace_cases.io.register.store import NewEntry, Register, _engine, open_register


def test_the_library_knows_every_shipped_migration_in_order():
    assert migrate.script_versions() == list(schema.SCHEMA_VERSIONS)


def test_the_migrations_build_the_tables_the_library_reads(location):
    with open_register(location, create=True) as register, register.reading() as connection:
        inspector = sa.inspect(connection)
        for table in schema.metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name


def _register_at(location, version: str) -> Register:
    """A register built only up to ``version``, as an older library would have left it."""
    from alembic import command

    register = Register(location, _engine(location), None)
    with register.writing() as connection:
        command.upgrade(migrate._config(connection), version)
    register.version = version
    return register


def test_upgrade_keeps_every_entry_and_reaches_the_newest_version(location):
    old = _register_at(location, "0001")
    with old.writing() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO entries (case_id, benefit_id, period, kind, amount_pence, evidence, "
                "source, recorded_by, recorded_at) VALUES ('c', 'b', '2011-12', 'actual', 12345, "
                "'e', 's', 'r', '2012-04-01T00:00:00.000000Z')"
            )
        )
        tables = set(sa.inspect(connection).get_table_names())
    assert "returns" not in tables
    old.close()
    with open_register(location, allow_old=True) as register:
        assert register.version == "0001"
        assert migrate.upgrade(register) == ("0001", schema.HEAD)
    with open_register(location, create=True) as register:
        assert register.version == schema.HEAD
        assert [e.amount for e in register.entries()] == [12345]
        register.add_entry(NewEntry("c", "b", "2012-13", "actual", 1, "e", "s", "r"))
        assert register.returns() == []


def test_a_backup_is_a_register_with_the_same_entries(location, tmp_path):
    with open_register(location, create=True) as register:
        register.add_entries(
            NewEntry("c", "b", f"20{y}-{y + 1}", "actual", y, "e", "s", "r") for y in range(10, 20)
        )
        destination = tmp_path / "backup.db"
        if location.engine == "postgresql":
            destination = tmp_path / "backup.pgdump"
        migrate.backup(register, destination)
    assert destination.stat().st_size > 0
    if location.engine == "sqlite":
        from totalplace_cases.io.register.location import parse_location

        with open_register(parse_location(str(destination), tmp_path)) as copy:
            assert [e.amount for e in copy.entries()] == list(range(10, 20))
    else:
        assert destination.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
