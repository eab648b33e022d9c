"""Cuts scenarios with their plugins and files: ``[[scenarios]]`` read and checked with file,
line and field, and the ``totalplace_share_cut`` hook that may share a cut otherwise."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases import hookimpl
from totalplace_cases.errors import InputError, PluginError
from totalplace_cases.plugins import load_rules
from totalplace_cases.scenarios import run_scenarios, scenario

PROGRAMME = """\
[programme]
id = "small"
price_base = "2009-10"
baseline = ["spend.csv"]

[[agencies]]
id = "a"
kind = "local"

[[agencies]]
id = "b"
kind = "health"

[[scenarios]]
name = "A hundred pounds"
cut = "£100"
protect = ["theme=health"]
jobs_cost = "25"
"""

SPEND = """\
year,agency,category,theme,kind,amount
2008-09,a,individual,health,revenue,600.00
2008-09,a,community,safety,revenue,100.00
2008-09,b,community,safety,revenue,100.00
2008-09,b,public-realm,transport,capital,100.00
"""


@pytest.fixture
def small(tmp_path) -> Path:
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "programme.toml").write_text(PROGRAMME, encoding="utf-8")
    (folder / "spend.csv").write_text(SPEND, encoding="utf-8")
    return folder


def test_the_programmes_scenarios_are_read_and_run(small):
    (result,) = tp.scenarios(small)
    # £300 unprotected bears £100: a third of each line; the spare penny to the first in key
    # order (a's community line sorts before its health line).
    assert result.name == "A hundred pounds"
    assert result.shared_by == "in proportion to spend"
    assert [(ln.cell.theme, ln.cut) for ln in result.lines] == [
        ("safety", Decimal("33.34")), ("health", Decimal("0")),
        ("safety", Decimal("33.33")), ("transport", Decimal("33.33")),
    ]  # fmt: skip
    assert result.jobs == 4


class CapitalSpared:
    """A programme office's rule: capital schemes under way are spared; revenue bears the cut."""

    @hookimpl
    def totalplace_share_cut(self, scenario, lines, cut, programme):
        return [line.amount if line.kind == "revenue" else Decimal(0) for line in lines]


def test_a_plugin_may_share_the_cut_otherwise_and_it_still_adds_up(small):
    rules = load_rules(entry_points=False, extra=[("capital-spared", CapitalSpared())])
    result = scenario(small, "£100", protect=["theme=health"], rules=rules)
    # The two £100 revenue lines bear £50 each; the capital line nothing; health is protected.
    cuts = {(ln.cell.agency, ln.cell.theme): ln.cut for ln in result.lines}
    assert cuts == {
        ("a", "health"): Decimal("0"),
        ("a", "safety"): Decimal("50.00"),
        ("b", "safety"): Decimal("50.00"),
        ("b", "transport"): Decimal("0"),
    }
    assert result.shared_by == "capital-spared"
    assert sum(row.cut for row in result.by_agency) == Decimal("100")


class Answers:
    def __init__(self, answer):
        self.answer = answer

    @hookimpl
    def totalplace_share_cut(self, scenario, lines, cut, programme):
        return self.answer(lines)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda lines: [0.5] * len(lines), "the float 0.5; give a Decimal"),
        (lambda lines: [1], "expected 3 weights, one for each line, found 1"),
        (lambda lines: [0] * len(lines), "every weight is 0"),
        (lambda lines: [-1, 1, 1], "weights are 0 or more"),
        (lambda lines: "even", "expected a list of weights"),
        # All the cut on one £100 line: £150 is more than it spends.
        (lambda lines: [1, 0, 0], "cut the line a/community/safety/revenue by £150.00"),
    ],
)
def test_a_bad_sharing_names_the_plugin(small, answer, message):
    rules = load_rules(entry_points=False, extra=[("sharer", Answers(answer))])
    with pytest.raises(PluginError) as caught:
        scenario(small, "£150", protect=["theme=health"], rules=rules)
    assert caught.value.plugin == "sharer"
    assert caught.value.hook == "totalplace_share_cut"
    assert message in str(caught.value)


def test_protected_lines_never_reach_the_hook(small):
    seen = []

    class Watcher:
        @hookimpl
        def totalplace_share_cut(self, scenario, lines, cut, programme):
            seen.extend(lines)

    rules = load_rules(entry_points=False, extra=[("watcher", Watcher())])
    scenario(small, "£10", protect=["theme=health", "agency=b"], rules=rules)
    assert [(c.agency, c.theme) for c in seen] == [("a", "safety")]


def _problems(folder: Path) -> list:
    with pytest.raises(InputError) as caught:
        tp.load(folder)
    return caught.value.problems


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ('cut = "lots"', "scenarios[0].cut", 'or a percentage ("8.5%"), found "lots"'),
        ('cut = "150%"', "scenarios[0].cut", "at most 100%"),
        ("over = 0", "scenarios[0].over", "a whole number of at least 1, found 0"),
        ('protect = ["health"]', "scenarios[0].protect[0]", 'found "health"'),
        (
            'protect = ["agency=nobody"]',
            "scenarios[0].protect[0]",
            'unknown agency "nobody"; known: a, b',
        ),
        ('protect = ["category=sport"]', "scenarios[0].protect[0]", 'unknown category "sport"'),
        ('jobs_cost = "0"', "scenarios[0].jobs_cost", "the cost of one job, more than £0"),
        ('start = "2010"', "scenarios[0].start", "2010-11"),
        ('colour = "red"', "scenarios[0].colour", "unknown field; expected one of: name"),
    ],
)
def test_a_bad_scenario_field_names_its_file_line_and_field(small, entry, field, message):
    text = PROGRAMME.replace('cut = "£100"\n', "").replace(
        'jobs_cost = "25"\n', 'jobs_cost = "25"\ncut = "£100"\n'
    )
    key = entry.split(" = ")[0]
    lines = [line for line in text.splitlines() if not line.startswith(f"{key} = ")]
    lines.append(entry)
    (small / "programme.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = _problems(small)
    assert [(p.field, p.line) for p in problems] == [(field, len(lines))]
    assert message in problems[0].message
    assert Path(problems[0].file).name == "programme.toml"


def test_a_scenario_needs_a_name_and_a_cut_and_names_are_unique(small):
    text = PROGRAMME + '\n[[scenarios]]\nname = "A hundred pounds"\ncut = "1%"\n\n[[scenarios]]\n'
    (small / "programme.toml").write_text(text, encoding="utf-8")
    found = {(p.field, p.message) for p in _problems(small)}
    assert (
        "scenarios[1].name",
        'scenario "A hundred pounds" is named twice (also scenarios[0])',
    ) in found
    assert ("scenarios[2].name", 'missing required field "name"') in found
    assert ("scenarios[2].cut", 'missing required field "cut"') in found


def test_a_theme_the_count_does_not_hold_is_reported_at_its_line_when_run(small):
    text = PROGRAMME.replace('"theme=health"', '"theme=helth"')
    (small / "programme.toml").write_text(text, encoding="utf-8")
    programme = tp.load(small)  # a theme is only known with the count
    with pytest.raises(InputError) as caught:
        tp.scenarios(programme)
    (problem,) = caught.value.problems
    assert problem.field == "scenarios[0].protect[0]"
    assert problem.line == text.splitlines().index('protect = ["theme=helth"]') + 1
    assert "theme=helth matches no spend in the count for 2008-09" in problem.message


def test_scenarios_from_the_command_line_name_the_option(small):
    from totalplace_cases.baseline import count_programme
    from totalplace_cases.models import CutScenario
    from totalplace_cases.plugins import rules_for

    programme = tp.load(small)
    rules = rules_for([])
    item = CutScenario.of("x", "£1000")
    with pytest.raises(InputError) as caught:
        run_scenarios(programme, rules, count_programme(programme, rules), [(item, "")])
    (problem,) = caught.value.problems
    assert problem.field == "--cut" and problem.file is None


def test_several_ids_may_share_one_protection_and_errors_name_its_entry(small):
    text = PROGRAMME.replace('["theme=health"]', '["agency=a", "theme=health,helth"]')
    (small / "programme.toml").write_text(text, encoding="utf-8")
    programme = tp.load(small)
    assert [str(p) for p in programme.scenarios[0].protect] == [
        "agency=a",
        "theme=health",
        "theme=helth",
    ]
    with pytest.raises(InputError) as caught:
        tp.scenarios(programme)
    (problem,) = caught.value.problems
    # The third protection was written in the array's second entry.
    assert problem.field == "scenarios[0].protect[1]"
    assert "theme=helth matches no spend" in problem.message
    same = scenario(small, "£10", protect=["theme=health,safety"])
    assert (
        same.protected_total
        == scenario(small, "£10", protect=["theme=health", "theme=safety"]).protected_total
        == Decimal("800.00")
    )
