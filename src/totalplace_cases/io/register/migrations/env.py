"""Alembic's environment for the register: migrations run on the connection the library gives.

The library opens the connection, takes the register's write lock and starts the transaction;
each migration runs inside it, so an upgrade is all or nothing on both engines.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
