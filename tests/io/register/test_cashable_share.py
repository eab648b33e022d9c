"""A partly cashable line in the register: ``cashable_share`` beside the ``cashable`` boolean.

Schema version 0003 adds ``baseline_lines.cashable_share`` (exact decimal text). A baseline
keeps the share a case file gives (``cashable = "0.6"``); a line given only the boolean has the
share 1 or 0; rows recorded before 0003 read the same way after an upgrade, untouched (the
table is append-only). Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
import sqlalchemy as sa

from totalplace_cases.io.register import migrate, schema
from totalplace_cases.io.register.store import (
    BaselineLine,
    Register,
    _engine,
    cashable_share_of,
    open_register,
)

from .test_store import baseline


def line(**fields) -> BaselineLine:
    values = {"benefit": "saving", "agency": "kcc", "value_type": "fiscal", "cashable": True,
              "frequency": "annual", "plan": (("2011-12", 100),)}  # fmt: skip
    return BaselineLine(**{**values, **fields})


def test_the_share_defaults_to_the_boolean():
    assert line(cashable=True).cashable_share == Decimal(1)
    assert line(cashable=False).cashable_share == Decimal(0)
    assert line(cashable_share="0.6").cashable_share == Decimal("0.6")


@pytest.mark.parametrize("share", ["1.5", "-0.1", "NaN", "lots"])
def test_a_share_outside_0_to_1_is_refused(share):
    with pytest.raises((ValueError, ArithmeticError)):
        line(cashable_share=share)
    with pytest.raises(ValueError, match="fraction from 0 to 1"):
        cashable_share_of(True, share)


def test_a_partly_cashable_line_keeps_its_exact_share(location):
    partly = line(benefit="partly", cashable_share=Decimal("0.6"))
    frozen = attrs.evolve(baseline(), lines=(line(), partly, line(benefit="not", cashable=False)))
    with open_register(location, create=True) as register:
        register.add_baseline(frozen)
        read = register.baselines()[0].lines
    assert [(x.benefit, x.cashable, x.cashable_share) for x in read] == [
        ("saving", True, Decimal(1)),
        ("partly", True, Decimal("0.6")),
        ("not", False, Decimal(0)),
    ]


def test_lines_recorded_before_version_3_read_their_share_from_the_boolean(location):
    old = Register(location, _engine(location), None)
    with old.writing() as connection:
        from alembic import command

        command.upgrade(migrate._config(connection), "0002")
        connection.execute(
            sa.text(
                "INSERT INTO baselines (case_id, title, category, start, years, price_base, "
                "green, amber, case_sha256, library_version, approved_by, recorded_by, "
                "recorded_at) VALUES ('case-a', 'A', 'individual', '2010-11', 3, '2009-10', "
                "'0.95', '0.8', :sha, 'old', 'Board', 'officer', '2011-04-01T00:00:00.000000Z')"
            ),
            {"sha": "0" * 64},
        )
        for benefit, cashable in (("yes", True), ("no", False)):
            connection.execute(
                sa.text(
                    "INSERT INTO baseline_lines (baseline_id, benefit_id, position, agency, "
                    "value_type, cashable, frequency, description) VALUES (1, :b, :p, 'kcc', "
                    "'fiscal', :c, 'annual', '')"
                ),
                {"b": benefit, "p": int(not cashable), "c": cashable},
            )
    old.version = "0002"
    old.close()
    with open_register(location, allow_old=True) as register:
        assert migrate.upgrade(register) == ("0002", schema.HEAD)
    with open_register(location) as register:
        lines = register.baselines()[0].lines
        assert [(x.benefit, x.cashable_share) for x in lines] == [
            ("yes", Decimal(1)),
            ("no", Decimal(0)),
        ]
        with register.reading() as connection:
            stored = connection.execute(sa.text("SELECT cashable_share FROM baseline_lines"))
            assert [row[0] for row in stored] == [None, None]  # the old rows, untouched


def test_baseline_and_status_carry_a_case_files_share(kent_copy, invoke):
    case = kent_copy / "kent-gateway-customer-access.toml"
    text = case.read_text(encoding="utf-8")
    assert "cashable = true" in text
    case.write_text(text.replace("cashable = true", 'cashable = "0.25"', 1), encoding="utf-8")
    made = invoke("track", "baseline", "kent-gateway-customer-access", "--approved-by", "Board",
                  "--by", "tester", "--programme", kent_copy)  # fmt: skip
    assert made.exit_code == 0, made.output
    from totalplace_cases.io.register.location import parse_location

    with open_register(parse_location(str(kent_copy / "register.db"), kent_copy)) as register:
        shares = {x.cashable_share for x in register.baselines()[0].lines}
    assert Decimal("0.25") in shares
    status = invoke("track", "status", kent_copy, "--format", "csv")
    assert status.exit_code == 0, status.output
    header, *rows = status.stdout.splitlines()
    assert header.split(",")[-1] == "cashable_share"
    assert any(row.endswith(",0.25") for row in rows)
