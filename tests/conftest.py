"""Shared fixtures: the bundled Kent programme, and small programme folders written on the fly.

``write_case`` writes a case file (from TOML text or from a dict) into a programme folder under
``tmp_path``, with a small ``programme.toml`` beside it unless told otherwise. ``case_data`` is a
valid case as a dict, for a test to break in exactly one place. ``problems_of`` loads a path and
returns the problems it reports; ``line_no`` finds the line a test wrote something on.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import shutil
import signal
import textwrap
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import totalplace_cases as tp
from totalplace_cases.cli import cli

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

REPO_ROOT = Path(__file__).resolve().parents[1]
KENT = REPO_ROOT / "cases" / "kent"

# A programme with two agencies; the case below names both and nothing else.
PROGRAMME_TOML = """\
[programme]
id = "test-programme"
name = "Test programme"
place = "Testshire"
price_base = "2010-11"

[[agencies]]
id = "lead-agency"
name = "Lead agency"
kind = "local"

[[agencies]]
id = "partner-agency"
name = "Partner agency"
kind = "health"
"""

# A valid case: appraised over 2010-11 to 2014-15 (start 2010-11, 5 years).
VALID_CASE: dict[str, Any] = {
    "id": "joint-team",
    "title": "Joint team for families with complex needs",
    "category": "individual",
    "sponsor": "lead-agency",
    "status": "proposed",
    "start": "2010-11",
    "years": 5,
    "costs": [
        {
            "id": "staff",
            "agency": "lead-agency",
            "kind": "revenue",
            "amounts": {"2010-11": "150000", "2011-12": "150000"},
            "confidence": 2,
        }
    ],
    "benefits": [
        {
            "id": "avoided-placements",
            "agency": "partner-agency",
            "value_type": "fiscal",
            "cashable": True,
            "amounts": {"2011-12": "200000", "2012-13": "200000"},
            "deadweight": "0.2",
        }
    ],
    "realignments": [
        {
            "from": "partner-agency",
            "to": "lead-agency",
            "kind": "revenue",
            "amounts": {"2011-12": "50000"},
        }
    ],
}


def toml_text(data: Mapping[str, Any]) -> str:
    """Write simple case data as TOML: top-level keys, then ``[[name]]`` tables.

    Nested tables are written inline (``amounts = { "2010-11" = "1" }``), one key per line, so a
    test can find the line of any key with :func:`line_no`. Floats are written as TOML floats.
    """
    lines: list[str] = []
    arrays: list[tuple[str, list[Mapping[str, Any]]]] = []
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            arrays.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, tables in arrays:
        for table in tables:
            lines += ["", f"[[{_toml_key(key)}]]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    # Identifiers bare, anything else ("2010-11", "a b") quoted, as case files write them.
    return key if _IDENTIFIER.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML here")


def _as_text(content: str | Mapping[str, Any]) -> str:
    if isinstance(content, str):
        return textwrap.dedent(content).lstrip("\n")
    return toml_text(content)


@pytest.fixture
def toml() -> Callable[[Mapping[str, Any]], str]:
    """:func:`toml_text`, for a test that writes case data as text to change it further."""
    return toml_text


@pytest.fixture
def programme_text() -> str:
    """The text of the small programme ``write_case`` puts beside a case."""
    return PROGRAMME_TOML


@pytest.fixture
def kent_dir() -> Path:
    """The bundled Kent Total Place programme folder."""
    return KENT


@pytest.fixture
def case_data() -> dict[str, Any]:
    """A fresh copy of a valid case, to change in one place per test."""
    return copy.deepcopy(VALID_CASE)


@pytest.fixture
def write_programme(tmp_path: Path) -> Callable[..., Path]:
    """Write ``programme.toml`` into ``tmp_path/<folder>``; returns the folder."""

    def write(content: str | Mapping[str, Any] = PROGRAMME_TOML, folder: str = "programme") -> Path:
        directory = tmp_path / folder
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "programme.toml").write_text(_as_text(content), encoding="utf-8")
        return directory

    return write


@pytest.fixture
def write_case(tmp_path: Path) -> Callable[..., Path]:
    """Write a case file; returns its path.

    ``programme`` is the text (or data) of the ``programme.toml`` to put beside it, written only
    if the folder has none yet; ``None`` leaves the case on its own, with no programme.
    """

    def write(
        content: str | Mapping[str, Any],
        name: str = "case.toml",
        *,
        programme: str | Mapping[str, Any] | None = PROGRAMME_TOML,
        folder: str | None = None,
    ) -> Path:
        directory = tmp_path / (folder or ("programme" if programme is not None else "lone"))
        directory.mkdir(parents=True, exist_ok=True)
        programme_file = directory / "programme.toml"
        if programme is not None and not programme_file.exists():
            programme_file.write_text(_as_text(programme), encoding="utf-8")
        path = directory / name
        path.write_text(_as_text(content), encoding="utf-8")
        return path

    return write


@pytest.fixture
def problems_of() -> Callable[[Path], list[tp.Problem]]:
    """Load ``path`` expecting it to fail; returns the problems the InputError lists."""

    def load_problems(path: Path) -> list[tp.Problem]:
        with pytest.raises(tp.InputError) as caught:
            tp.load(path)
        return caught.value.problems

    return load_problems


@pytest.fixture
def the_problem(problems_of) -> Callable[[Path], tp.Problem]:
    """Load ``path`` expecting exactly one problem; returns it."""

    def only(path: Path) -> tp.Problem:
        problems = problems_of(path)
        assert len(problems) == 1, "\n".join(str(p) for p in problems)
        return problems[0]

    return only


@pytest.fixture
def line_no() -> Callable[[Path, str], int]:
    """The 1-based line of ``path`` that contains ``fragment``.

    Exactly one line must contain it, unless ``occurrence`` (1 for the first) picks one.
    """

    def find(path: Path, fragment: str, occurrence: int | None = None) -> int:
        lines = path.read_text(encoding="utf-8").splitlines()
        hits = [n for n, line in enumerate(lines, start=1) if fragment in line]
        assert hits, f"{fragment!r} is not in {path}"
        if occurrence is None:
            assert len(hits) == 1, f"{fragment!r} is on lines {hits} of {path}"
            return hits[0]
        return hits[occurrence - 1]

    return find


@pytest.fixture
def invoke():
    """Run the ``totalplace`` command in-process: ``invoke("validate", path)``."""
    runner = CliRunner()

    def call(*args: str | Path):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return call


# -- benefits register: every register test runs on SQLite and on PostgreSQL -------------------
#
# PostgreSQL is found at TOTALPLACE_TEST_POSTGRESQL (default
# postgresql://postgres@127.0.0.1:5432/test); each test gets a schema of its own, dropped
# afterwards. Without a server the PostgreSQL tests fail, saying where they looked and how to
# point them at a server: they are never skipped.

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgresql_admin():
    """A connection-making engine for the test server, checked once per session."""
    import sqlalchemy as sa

    from totalplace_cases.io.register.location import parse_location

    url = os.environ.get("TOTALPLACE_TEST_POSTGRESQL", DEFAULT_URL)
    location = parse_location(url, Path.cwd())
    engine = sa.create_engine(location.sqlalchemy_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {location} ({str(exc.orig).strip()}). The register "
            "tests run on both engines: start the server, or point TOTALPLACE_TEST_POSTGRESQL at "
            "one (a postgresql:// URL of a database where the tests may create schemas)."
        )
    yield url, engine
    engine.dispose()


@pytest.fixture
def postgresql_schema(postgresql_admin) -> Iterator[str]:
    """A fresh schema on the test server; yields the URL that puts it first on search_path."""
    import sqlalchemy as sa

    url, engine = postgresql_admin
    name = f"tp_test_{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {name}"))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{name}"
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    return request.param


@pytest.fixture
def register_url(engine_name, tmp_path, request) -> str:
    """The address of an empty register: a file path, or a postgresql:// URL."""
    if engine_name == "sqlite":
        return str(tmp_path / "register.db")
    return request.getfixturevalue("postgresql_schema")


@pytest.fixture
def location(register_url, tmp_path):
    from totalplace_cases.io.register.location import parse_location

    return parse_location(register_url, tmp_path)


@pytest.fixture
def kent_copy(tmp_path) -> Path:
    """A copy of the bundled Kent programme, its plugins pointed at this repository's."""
    folder = tmp_path / "kent"
    shutil.copytree(REPO_ROOT / "cases" / "kent", folder)
    programme = folder / "programme.toml"
    text = programme.read_text(encoding="utf-8")
    for plugin in ("kent", "ucd"):
        text = text.replace(
            f'"../../plugins/{plugin}"', f'"{(REPO_ROOT / "plugins" / plugin).as_posix()}"'
        )
    programme.write_text(text, encoding="utf-8")
    return folder


class Hung(BaseException):
    """Raised by :func:`watchdog` in a block that runs too long.

    A BaseException, so that no ``except Exception`` (or ``except OSError``, as TimeoutError
    would be) in the code under test can turn a hang into an ordinary error message.
    """


@pytest.fixture
def watchdog() -> Callable[[float], contextlib.AbstractContextManager[None]]:
    """``with watchdog(60): ...`` fails the test if the block runs longer than 60 seconds.

    A guard against hangs (a reader that is quadratic on a long line, a blocking open), not a
    speed measure: the bounds are far above the time the work takes, and far below the hours a
    super-linear reader would need. Speed is measured in benchmarks/.
    """

    @contextlib.contextmanager
    def guard(seconds: float) -> Iterator[None]:
        def expire(_signum: int, _frame: object) -> None:
            raise Hung(f"still running after {seconds} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return guard
