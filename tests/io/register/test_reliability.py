"""The register as a book of record, on both engines: concurrent writers, a killed import, a bad
row, and reports as at a past moment. (SQL UPDATE/DELETE and files that are not registers, or
are newer, are in test_store.py.)"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

import attrs
import sqlalchemy as sa

from totalplace_cases.io.register.location import parse_location
from totalplace_cases.io.register.store import WRITE_LOCK, NewEntry, now_text, open_register

PROGRAMME = """\
[programme]
id = "reliability"
name = "Reliability"

[[agencies]]
id = "council"
name = "Council"
kind = "local"
"""


def write_programme(folder: Path, lines: int, years: int, frequency: str = "annual") -> Path:
    """A programme with one case of ``lines`` benefit lines over ``years`` years."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "programme.toml").write_text(PROGRAMME, encoding="utf-8")
    parts = [
        f'id = "big"\ntitle = "Big"\ncategory = "community"\nstart = "2010-11"\nyears = {years}\n'
    ]
    for i in range(lines):
        parts.append(
            f'[[benefits]]\nid = "b{i}"\nagency = "council"\nvalue_type = "fiscal"\n'
            f'amounts = {{ "2010-11" = "1000" }}\nfrequency = "{frequency}"\n'
        )
    (folder / "big.toml").write_text("\n".join(parts), encoding="utf-8")
    return folder


def cli(*args: object, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "totalplace_cases", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from totalplace_cases.io.register.location import parse_location
    from totalplace_cases.io.register.store import NewEntry, open_register

    url, worker = sys.argv[1], int(sys.argv[2])
    with open_register(parse_location(url, Path.cwd()), create=True) as register:
        for i in range(250):
            register.add_entry(NewEntry("big", f"b{worker}", f"{2010 + i}-{(11 + i) % 100:02d}",
                                        "actual", i, "concurrent", "test", f"worker {worker}"))
    """
)


def test_four_processes_recording_250_entries_each_leave_exactly_1000(register_url, tmp_path):
    # The register does not exist yet: the writers also race to create it.
    workers = [
        subprocess.Popen([sys.executable, "-c", WRITER, register_url, str(w)], cwd=tmp_path,
                         stderr=subprocess.PIPE, text=True)
        for w in range(4)
    ]  # fmt: skip
    for worker in workers:
        _, error = worker.communicate(timeout=300)
        assert worker.returncode == 0, error
    with open_register(parse_location(register_url, tmp_path)) as register:
        entries = register.entries()
    assert len(entries) == 1000
    assert len({e.id for e in entries}) == 1000
    for worker in range(4):
        mine = [e.amount for e in entries if e.benefit == f"b{worker}"]
        assert sorted(mine) == list(range(250))


def _snapshot(location) -> list:
    with open_register(location) as register:
        return [(e.id, e.amount, e.recorded_at) for e in register.entries()]


def _writing_started(location, before_wal: int) -> bool:
    """Whether the import's transaction is writing rows (not merely checking them)."""
    if location.engine == "sqlite":
        wal = Path(f"{location.path}-wal")
        return wal.exists() and wal.stat().st_size > before_wal + 1_000_000
    engine = sa.create_engine(location.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            query = sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                "AND query LIKE 'COPY entries%' AND pid <> pg_backend_pid()"
            )
            return bool(connection.execute(query).scalar())
    finally:
        engine.dispose()


def test_an_import_killed_mid_write_leaves_the_register_as_before(register_url, tmp_path):
    # 200,000 rows: 50 quarterly lines over 1,000 years of quarters.
    folder = write_programme(tmp_path / "prog", lines=50, years=1000, frequency="quarterly")
    location = parse_location(register_url, tmp_path)
    with open_register(location, create=True) as register:
        register.add_entries(
            NewEntry("big", "b0", f"2010-11 Q{q}", "forecast", q, "before", "t", "me")
            for q in (1, 2, 3)
        )
    before = _snapshot(location)
    big = tmp_path / "big.csv"
    with big.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["case", "benefit", "period", "amount", "evidence"])
        for year in range(2010, 3010):  # 1,000 years x 4 quarters x 50 lines
            for q in (1, 2, 3, 4):
                for line in range(50):
                    out.writerow(["big", f"b{line}", f"{year}-{(year + 1) % 100:02d} Q{q}",
                                  "12.34", "bulk"])  # fmt: skip
    wal = Path(f"{location.path}-wal") if location.engine == "sqlite" else None
    before_wal = wal.stat().st_size if wal is not None and wal.exists() else 0
    process = cli("track", "import", big, "--programme", folder, "--register", register_url)
    deadline = time.monotonic() + 240
    while not _writing_started(location, before_wal):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL  # killed, not finished
    assert _snapshot(location) == before
    if location.engine == "sqlite":
        with open_register(location) as register, register.reading() as connection:
            assert connection.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    with open_register(location, create=True) as register:  # and it is still usable
        register.add_entry(NewEntry("big", "b1", "2010-11 Q1", "actual", 1, "after", "t", "me"))
        assert register.count() == 4


def test_an_import_with_one_bad_row_among_1000_writes_nothing_and_names_it(
    invoke, register_url, tmp_path
):
    folder = write_programme(tmp_path / "prog", lines=10, years=100)
    path = tmp_path / "actuals.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["case", "benefit", "period", "amount", "evidence"])
        for n in range(1000):
            year = 2010 + n // 10
            amount = "12,5O0" if n == 637 else f"{n}.50"  # a letter O typed for a zero
            out.writerow(["big", f"b{n % 10}", f"{year}-{(year + 1) % 100:02d}", amount, "x"])
    result = invoke("track", "import", path, "--programme", folder, "--register", register_url)
    assert result.exit_code == 2
    # Row 637 is on line 639 (the header is line 1, the first row line 2).
    assert f"{path}:639: amount: expected an amount of money" in result.output
    assert "12,5O0" in result.output
    assert "1 problem found" in result.output
    location = parse_location(register_url, tmp_path)
    with open_register(location) as register:
        assert register.count() == 0


def test_status_as_at_a_past_moment_is_unchanged_by_later_corrections(register_url, tmp_path):
    from totalplace_cases.io.register.tracking import status
    from totalplace_cases.pipeline import load_programme

    folder = write_programme(tmp_path / "prog", lines=2, years=3)
    programme, rules = attrs.astuple(load_programme(folder), recurse=False)
    location = parse_location(register_url, tmp_path)
    with open_register(location, create=True) as register:
        first = register.add_entry(NewEntry("big", "b0", "2010-11", "actual", 90000, "e", "s", "r"))
        moment = now_text()
        time.sleep(0.01)
        register.add_entry(
            NewEntry("big", "b0", "2010-11", "actual", 50000, "e", "s", "r", first, "audit")
        )
        register.add_entry(NewEntry("big", "b1", "2010-11", "actual", 1, "e", "s", "r"))
        then = status(register, programme, rules, as_at=moment)
        now = status(register, programme, rules)
    # Then: b0 £900 of a planned £1,000 (90%: amber); b1 had no actual for a due year.
    assert [(s.line.benefit, s.actual_to_date, s.rag) for s in then.lines] == [
        ("b0", 90000, "amber"),
        ("b1", 0, "no-data"),
    ]
    assert [(s.line.benefit, s.actual_to_date) for s in now.lines] == [("b0", 50000), ("b1", 1)]


# -- writers wait for each other: the same contention as above, made deterministic -------------
#
# Another writer holds the register's write lock for HOLD seconds; what this process asks for
# must wait for it and then succeed, never fail with "database is locked". Each test also shows
# that it really waited (it cannot have finished before the other writer let go).

HOLD = 0.5


@contextmanager
def another_writer(location):
    """Another connection holding the register's write lock until HOLD seconds have passed:
    SQLite's RESERVED lock (``BEGIN IMMEDIATE``), or the PostgreSQL advisory lock."""
    if location.engine == "sqlite":
        blocker = sqlite3.connect(location.path, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")
        release = threading.Timer(HOLD, blocker.execute, ["COMMIT"])
    else:
        engine = sa.create_engine(location.sqlalchemy_url)
        blocker = engine.connect()
        transaction = blocker.begin()
        blocker.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
        release = threading.Timer(HOLD, transaction.commit)
    start = time.monotonic()
    release.start()
    try:
        yield start
    finally:
        release.join()
        blocker.close()
        if location.engine != "sqlite":
            engine.dispose()


def test_a_correction_reads_then_writes_and_waits_for_another_writer(location):
    # A correction first reads (does the entry it supersedes exist, is it already corrected?)
    # and then writes. Were the transaction begun deferred, SQLite would refuse the upgrade from
    # reading to writing at once ("database is locked"), whatever the busy timeout.
    with open_register(location, create=True) as register:
        first = register.add_entry(NewEntry("big", "b0", "2010-11", "actual", 1, "e", "s", "r"))
        with another_writer(location) as start:
            corrected = register.add_entry(
                NewEntry("big", "b0", "2010-11", "actual", 2, "e", "s", "r", first, "typo")
            )
            waited = time.monotonic() - start
        assert [(e.id, e.supersedes) for e in register.entries()] == [
            (first, None),
            (corrected, first),
        ]
    assert waited >= HOLD


def test_switching_a_register_to_the_write_ahead_log_waits_for_another_writer(tmp_path):
    # A register not yet in WAL mode (a new one is not, for a moment, before its creator
    # switches it; nor is one copied by a tool that leaves it in rollback-journal mode) is
    # switched when a writer opens it. The switch reads the file's
    # header, then rewrites it: SQLite refuses it at once, busy timeout or not, while another
    # writer holds the lock; the register waits instead.
    location = parse_location("register.db", tmp_path)
    with open_register(location, create=True) as register:
        register.add_entry(NewEntry("big", "b0", "2010-11", "actual", 1, "e", "s", "r"))
    with closing(sqlite3.connect(location.path)) as raw:
        assert raw.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    with another_writer(location) as start, open_register(location, create=True) as register:
        waited = time.monotonic() - start
        assert register.count() == 1
    with closing(sqlite3.connect(location.path)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert waited >= HOLD
