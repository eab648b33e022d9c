"""The register's storage, on SQLite and PostgreSQL alike: append-only, as-at reads, versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from totalplace_cases.io.register import schema
from totalplace_cases.io.register.location import parse_location
from totalplace_cases.io.register.store import (
    Baseline,
    BaselineLine,
    CertifiedReturn,
    NewEntry,
    RegisterError,
    open_register,
)


def entry(amount: int = 100, period: str = "2011-12", **fields) -> NewEntry:
    values = {
        "case": "case-a",
        "benefit": "saving",
        "period": period,
        "kind": "actual",
        "amount": amount,
        "evidence": "outturn report",
        "source": "test",
        "recorded_by": "officer",
    }
    values.update(fields)
    return NewEntry(**values)


def baseline(case: str = "case-a", reason: str | None = None, plan: int = 1000) -> Baseline:
    return Baseline(
        case=case,
        title="Case A",
        category="individual",
        start="2010-11",
        years=3,
        price_base="2009-10",
        green=Decimal("0.95"),
        amber=Decimal("0.8"),
        case_sha256="0" * 64,
        library_version="test",
        approved_by="Board",
        recorded_by="officer",
        reason=reason,
        lines=(
            BaselineLine(
                benefit="saving",
                agency="kcc",
                value_type="fiscal",
                cashable=True,
                frequency="annual",
                plan=(("2010-11", 0), ("2011-12", plan), ("2012-13", plan * 2)),
                owner="Head of service",
                baseline_date="2009-10-01",
            ),
        ),
    )


def test_a_register_is_made_on_first_write_and_reads_empty_before(location):
    register = open_register(location)
    assert register.empty
    assert register.entries() == [] and register.effective_entries() == []
    assert register.baselines() == []
    if location.engine == "sqlite":
        assert not location.path.exists()  # reading never creates the file
    with open_register(location, create=True) as register:
        assert register.version == schema.HEAD
        number = register.add_entry(entry())
    with open_register(location) as register:
        assert [e.id for e in register.entries()] == [number]


def test_money_is_stored_exactly_as_pence(location):
    amounts = [1, -1, 123456789012345, -99999999999999]  # up to just under a trillion pounds
    with open_register(location, create=True) as register:
        register.add_entries(entry(a, f"201{i}-1{i + 1}") for i, a in enumerate(amounts))
        assert [e.amount for e in register.entries()] == amounts
        assert register.entries()[2].pounds == Decimal("1234567890123.45")
        with register.reading() as connection:
            column = sa.inspect(connection).get_columns("entries")
        amount = next(c for c in column if c["name"] == "amount_pence")
        assert isinstance(amount["type"], sa.BigInteger | sa.Integer)  # never a float


@pytest.mark.parametrize("table", schema.APPEND_ONLY_TABLES)
def test_sql_update_and_delete_fail_in_the_database_itself(location, table):
    with open_register(location, create=True) as register:
        register.add_entry(entry())
        register.add_baseline(baseline())
        register.add_return(
            CertifiedReturn("p", "json", "a" * 64, "2012-04-30T12:00:00.000000Z", "{}", "t", "me")
        )
        for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            if table in ("baseline_lines", "baseline_plan"):
                statement = statement.replace("id = id", "baseline_id = baseline_id")
            with (
                pytest.raises(sa.exc.DBAPIError, match="append-only"),
                register.engine.begin() as connection,
            ):
                connection.execute(sa.text(statement))
        with register.reading() as connection:
            count = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
        assert count >= 1


def test_truncate_fails_on_postgresql(location):
    if location.engine != "postgresql":
        return  # SQLite has no TRUNCATE; its DELETE trigger is tested above
    with open_register(location, create=True) as register:
        register.add_entry(entry())
        with (
            pytest.raises(sa.exc.DBAPIError, match="append-only"),
            register.engine.begin() as connection,
        ):
            connection.execute(sa.text("TRUNCATE entries"))
        assert register.count() == 1


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "register.db"
    content = b"case,benefit\nthis is a CSV file, not a register\n" * 50
    path.write_bytes(content)
    for create in (False, True):
        with pytest.raises(RegisterError, match="not a benefits register"):
            open_register(parse_location(str(path), tmp_path), create=create)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["register.db"]


def test_another_programs_database_is_refused_and_left_alone(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (name TEXT)")
    before = path.read_bytes()
    with pytest.raises(RegisterError, match=r"not a benefits register.*customers"):
        open_register(parse_location(str(path), tmp_path), create=True)
    assert path.read_bytes() == before


def _set_version(location, version: str) -> None:
    with (
        open_register(location, create=True, allow_old=True) as register,
        register.engine.begin() as connection,
    ):
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": version})


def _snapshot(location) -> object:
    if location.engine == "sqlite":
        return location.path.read_bytes()
    engine = sa.create_engine(location.sqlalchemy_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM entries ORDER BY id")).all()
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    return rows, version


def test_a_newer_register_is_refused_and_unchanged(location):
    with open_register(location, create=True) as register:
        register.add_entry(entry())
    _set_version(location, "9999")
    before = _snapshot(location)
    for create in (False, True):
        with pytest.raises(RegisterError, match="version 9999, newer than this library"):
            open_register(location, create=create)
    assert _snapshot(location) == before


def test_an_older_register_must_be_upgraded_explicitly(location):
    with open_register(location, create=True) as register:
        register.add_entry(entry())
    _set_version(location, schema.SCHEMA_VERSIONS[0])
    with pytest.raises(RegisterError, match="Run `totalplace track upgrade`"):
        open_register(location, create=True)
    with open_register(location, allow_old=True) as register:
        assert register.version == schema.SCHEMA_VERSIONS[0]


def test_a_correction_supersedes_and_the_latest_entry_counts(location):
    with open_register(location, create=True) as register:
        first = register.add_entry(entry(100))
        register.add_entry(entry(500, "2012-13"))
        restated = register.add_entry(entry(120))  # a later figure for the same period
        counted = {(e.period, e.kind): e.amount for e in register.effective_entries()}
        assert counted == {("2011-12", "actual"): 120, ("2012-13", "actual"): 500}
        fixed = register.add_entry(entry(130, supersedes=restated, reason="typo"))
        counted = {(e.period, e.kind): (e.id, e.amount) for e in register.effective_entries()}
        assert counted[("2011-12", "actual")] == (fixed, 130)
        # Correcting the entry that is already superseded by a later one changes nothing.
        register.add_entry(entry(999, supersedes=first, reason="old"))
        counted = {(e.period, e.kind): e.amount for e in register.effective_entries()}
        assert counted[("2011-12", "actual")] == 999  # the newest entry for the period
        assert len(register.entries()) == 5  # nothing removed


def test_a_correction_of_a_misfiled_entry_removes_it_from_its_old_period(location):
    with open_register(location, create=True) as register:
        wrong = register.add_entry(entry(100, "2011-12"))
        register.add_entry(entry(100, "2012-13", supersedes=wrong, reason="wrong year"))
        assert [(e.period, e.amount) for e in register.effective_entries()] == [("2012-13", 100)]


def test_an_entry_is_corrected_once_and_only_entries_that_exist(location):
    with open_register(location, create=True) as register:
        first = register.add_entry(entry(100))
        second = register.add_entry(entry(110, supersedes=first, reason="typo"))
        with pytest.raises(RegisterError, match=f"already corrected by entry {second}"):
            register.add_entry(entry(120, supersedes=first, reason="again"))
        with pytest.raises(RegisterError, match="there is no entry 99"):
            register.add_entry(entry(120, supersedes=99, reason="ghost"))
        with pytest.raises(RegisterError):  # the database refuses a correction without reason
            register.add_entry(entry(120, supersedes=second, reason=None))
        assert register.count() == 2


def test_as_at_sees_only_what_was_recorded_by_then(location):
    with open_register(location, create=True) as register:
        register.add_entry(entry(100), at="2012-04-01T09:00:00.000000Z")
        register.add_entry(
            entry(90, supersedes=1, reason="audit"), at="2012-06-01T09:00:00.000000Z"
        )
        register.add_baseline(baseline(), at="2012-03-01T00:00:00.000000Z")
        before = register.effective_entries(as_at="2012-05-01T00:00:00.000000Z")
        after = register.effective_entries(as_at="2012-07-01T00:00:00.000000Z")
        assert [e.amount for e in before] == [100]
        assert [e.amount for e in after] == [90]
        assert register.effective_entries(as_at="2012-01-01T00:00:00.000000Z") == []
        assert register.baselines(as_at="2012-02-01T00:00:00.000000Z") == []
        assert len(register.entries(as_at="2012-05-01T00:00:00.000000Z")) == 1


def test_baselines_keep_every_line_and_period_and_need_a_reason_to_change(location):
    with open_register(location, create=True) as register:
        first = register.add_baseline(baseline())
        with pytest.raises(RegisterError, match=r"already has a baseline; .*--reason"):
            register.add_baseline(baseline(plan=2000))
        second = register.add_baseline(baseline(plan=2000, reason="scope change"))
        stored = register.baselines(case="case-a")
    assert [b.id for b in stored] == [first, second]
    assert stored[0] == baseline().__class__(**{**_fields(baseline()), "id": first,
                                                "recorded_at": stored[0].recorded_at})  # fmt: skip
    assert stored[1].reason == "scope change"
    assert stored[1].lines[0].plan == (("2010-11", 0), ("2011-12", 2000), ("2012-13", 4000))
    assert stored[0].lines[0].owner == "Head of service"


def _fields(value) -> dict:
    import attrs

    return attrs.asdict(value, recurse=False)


def test_certified_returns_are_recorded_with_their_hash(location):
    certified = CertifiedReturn(
        programme="kent-total-place",
        format="xlsx",
        sha256="f" * 64,
        as_at="2012-04-30T12:00:00.000000Z",
        inputs='{"kent-hcc-placements.toml": "abc"}',
        library_version="0.1.0",
        certified_by="Chief Finance Officer",
    )
    with open_register(location, create=True) as register:
        first = register.add_return(certified, at="2012-05-01T00:00:00.000000Z")
        register.add_return(
            CertifiedReturn(**{**_fields(certified), "supersedes": first, "reason": "resubmitted"})
        )
        assert [r.id for r in register.returns(as_at="2012-06-01T00:00:00.000000Z")] == [first]
        assert register.returns()[1].supersedes == first
