"""The benefits register: plan against actual, an append-only book of record.

- :mod:`.location`: where a programme's register is (a SQLite file or a PostgreSQL URL);
- :mod:`.store`: reading and appending, as at any moment (:func:`.store.open_register`);
- :mod:`.schema` and ``migrations/``: the tables, and the Alembic migrations that build them;
- :mod:`.migrate`: making, upgrading and backing up a register;
- :mod:`.entries` and :mod:`.importfile`: checking entries, and reading files of them;
- :mod:`.tracking`: what the ``track`` commands do (baseline, record, import, status, history).

Importing this package loads nothing heavy: SQLAlchemy and Alembic are imported by the modules
that need them, when a register command runs.
"""
