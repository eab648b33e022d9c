"""Making, upgrading and backing up a register: Alembic migrations and online backups.

Alembic is imported only here, so commands that merely read or append do not load it. Every
migration runs in one transaction under the register's write lock: an upgrade that fails changes
nothing. An upgrade backs the register up first.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pendulum
import sqlalchemy as sa

from . import schema
from .store import Register, RegisterError

__all__ = ["backup", "create_schema", "default_backup_path", "upgrade"]


def _config(connection: sa.Connection):
    from alembic.config import Config

    config = Config()
    folder = resources.files("totalplace_cases.io.register") / "migrations"
    config.set_main_option("script_location", str(folder))
    config.attributes["connection"] = connection
    return config


def script_versions() -> list[str]:
    """The revisions the shipped migrations define, oldest first (a test compares them with
    :data:`schema.SCHEMA_VERSIONS`)."""
    from alembic.script import ScriptDirectory

    folder = resources.files("totalplace_cases.io.register") / "migrations"
    scripts = ScriptDirectory(str(folder))
    return [s.revision for s in reversed(list(scripts.walk_revisions()))]


def create_schema(register: Register) -> None:
    """Build the newest schema in an empty database (a no-op if another process just did)."""
    from alembic import command

    with register.writing() as connection:
        if sa.inspect(connection).get_table_names():
            return  # made by a concurrent writer while this one waited for the lock
        command.upgrade(_config(connection), schema.HEAD)


def upgrade(register: Register, *, to: str = schema.HEAD) -> tuple[str | None, str]:
    """Migrate the register to ``to``; returns (from version, to version)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    if register.empty:
        raise RegisterError(f"there is no register at {register.location} to upgrade")
    with register.writing() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        if before not in schema.SCHEMA_VERSIONS:
            raise RegisterError(
                f"the register {register.location} has schema version {before}, newer than "
                "this library knows; upgrade totalplace-cases instead"
            )
        if schema.SCHEMA_VERSIONS.index(before) < schema.SCHEMA_VERSIONS.index(to):
            command.upgrade(_config(connection), to)
    register.version = to if before != to else before
    return before, register.version


def default_backup_path(register: Register) -> Path:
    """Where ``track upgrade`` puts its backup: beside the register file, or in the current
    folder for PostgreSQL, named with the moment it was made."""
    stamp = pendulum.now("UTC").strftime("%Y%m%dT%H%M%SZ")
    if register.location.engine == "sqlite":
        path = register.location.path
        assert path is not None
        return path.with_name(f"{path.name}.backup-{stamp}")
    return Path.cwd() / f"register-backup-{stamp}.pgdump"


def backup(register: Register, destination: Path, *, replace: bool = False) -> None:
    """Copy the register to ``destination`` (which must not exist unless ``replace``), whole or
    not at all.

    SQLite: the online backup API, a consistent copy even while others write. PostgreSQL:
    ``pg_dump`` in its custom format, when it is installed; otherwise the error says how.
    """
    destination = Path(destination)
    if destination.is_symlink() or destination.is_dir():
        raise RegisterError(f"{destination} is a link or a folder; choose a new file")
    if destination.exists() and not replace:
        raise RegisterError(f"{destination} already exists; choose a new file for the backup")
    if not destination.parent.is_dir():
        raise RegisterError(f"cannot write {destination}: the folder does not exist")
    if register.location.engine == "sqlite":
        _backup_sqlite(register, destination)
    else:
        _backup_postgresql(register, destination)


def _backup_sqlite(register: Register, destination: Path) -> None:
    source_path = register.location.path
    assert source_path is not None
    if destination.resolve() == source_path.resolve():
        raise RegisterError("the backup cannot be the register itself")
    fd, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    os.close(fd)
    try:
        if not register.empty:
            source = sqlite3.connect(source_path)
            target = sqlite3.connect(temporary)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        _apply_umask(Path(temporary))
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _apply_umask(path: Path) -> None:
    """A new file gets the mode the user's umask gives any file they create."""
    mask = os.umask(0)
    os.umask(mask)
    path.chmod(0o666 & ~mask)


def pg_dump_command(url: str, destination: Path) -> list[str]:
    """The ``pg_dump`` call that backs up a PostgreSQL register (also shown as advice)."""
    parts = urlsplit(url)
    scheme = "postgresql"
    query = parse_qs(parts.query)
    schema_name = None
    for option in query.get("options", []):
        for word in option.split():
            if word.startswith("-csearch_path="):
                schema_name = word.split("=", 1)[1].split(",")[0]
    plain = urlunsplit((scheme, parts.netloc, parts.path, "", ""))
    command = ["pg_dump", "--format=custom", f"--file={destination}"]
    if schema_name:
        command.append(f"--schema={schema_name}")
    return [*command, plain]


def _backup_postgresql(register: Register, destination: Path) -> None:
    url = register.location.url
    assert url is not None
    command = pg_dump_command(url, destination)
    if shutil.which("pg_dump") is None:
        raise RegisterError(
            "backing up a PostgreSQL register needs pg_dump (PostgreSQL's client tools), which "
            f"is not installed here; on a machine that has it run: {' '.join(command)}"
        )
    fd, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    os.close(fd)
    command = [*command[:2], f"--file={temporary}", *command[3:]]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            detail = (done.stderr or "").strip().splitlines()
            raise RegisterError(
                f"pg_dump could not back up the register: {detail[-1] if detail else 'failed'}"
            )
        _apply_umask(Path(temporary))
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
