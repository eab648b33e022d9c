"""Alembic migrations of the register's schema, shipped with the library (see ``migrate``)."""
