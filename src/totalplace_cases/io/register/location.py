"""Where a programme's benefits register is: a SQLite file, or a PostgreSQL database.

``--register URL`` beats ``TOTALPLACE_REGISTER``, which beats ``register = "..."`` in the
``[programme]`` table of ``programme.toml``; the default is ``register.db`` beside that file. A
plain path is a SQLite file (relative to ``programme.toml`` when it comes from that file, else to
the current folder); ``postgresql://...`` is a PostgreSQL database. Nothing here connects.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import attrs

from ...errors import TotalPlaceError

__all__ = ["ENV_VAR", "RegisterLocation", "locate"]

ENV_VAR = "TOTALPLACE_REGISTER"
DEFAULT_FILE = "register.db"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


@attrs.frozen
class RegisterLocation:
    """A register's address: a SQLite file ``path``, or a PostgreSQL ``url``."""

    engine: str  # "sqlite" or "postgresql"
    path: Path | None = None
    url: str | None = None

    @property
    def sqlalchemy_url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.path}"
        assert self.url is not None
        scheme, rest = self.url.split("://", 1)
        if scheme in ("postgresql", "postgres"):
            scheme = "postgresql+psycopg"
        return f"{scheme}://{rest}"

    def __str__(self) -> str:
        """For messages: the file, or the URL without its password."""
        if self.engine == "sqlite":
            return str(self.path)
        return hide_password(self.url or "")


def hide_password(url: str) -> str:
    """A URL fit for a message: ``postgresql://user:***@host/db``."""
    return _PASSWORD.sub(r"\1***@", url)


def parse_location(text: str, relative_to: Path) -> RegisterLocation:
    """Read a register address written by a user: a path, ``sqlite:///path`` or a URL."""
    if not text.strip():
        raise TotalPlaceError("the register location is empty; give a file or a postgresql:// URL")
    if any(ord(c) < 32 for c in text):
        raise TotalPlaceError("the register location contains a control character")
    match = _SCHEME.match(text)
    if match is None:
        return RegisterLocation("sqlite", path=(relative_to / text).resolve())
    scheme = match.group(1).lower()
    if scheme == "sqlite":
        rest = text[len("sqlite://") :]
        if not rest.startswith("/") or rest == "/":
            raise TotalPlaceError(
                f'cannot read the register location "{text}": write sqlite:///relative/path.db '
                "or sqlite:////absolute/path.db (or just the path)"
            )
        return RegisterLocation("sqlite", path=(relative_to / rest[1:]).resolve())
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return RegisterLocation("postgresql", url=text)
    raise TotalPlaceError(
        f'the register location "{hide_password(text)}" is not a SQLite file or a '
        "postgresql:// URL; those are the two kinds of register"
    )


def locate(
    programme_file: Path | None,
    configured: str | None,
    override: str | None = None,
) -> RegisterLocation:
    """The register a command uses: ``override`` (``--register``), then ``TOTALPLACE_REGISTER``,
    then the programme's ``register`` setting, then ``register.db`` beside ``programme.toml``."""
    if override:
        return parse_location(override, Path.cwd())
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return parse_location(from_env, Path.cwd())
    folder = programme_file.parent if programme_file is not None else Path.cwd()
    return parse_location(configured or DEFAULT_FILE, folder)
