"""The count's plugins: the classifying hook, its answers checked, and the Kent rules."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases import hookimpl
from totalplace_cases.baseline import count_files
from totalplace_cases.errors import PluginError
from totalplace_cases.plugins import load_rules, rules_for

SPEND = """\
year,agency,category,theme,kind,amount,service
2008-09,force,,,revenue,10.00,ROADS
2008-09,force,,,revenue,20.00,CAKE
2008-09,force,community,,revenue,30.00,ROADS
"""


class RoadsRule:
    """A programme office's rule: its police objective code ROADS is public-realm transport."""

    @hookimpl
    def totalplace_classify_spend(self, line, programme):
        if line.service == "ROADS":
            return {"category": "public-realm", "theme": "transport"}
        return None


@pytest.fixture
def spend_file(tmp_path) -> Path:
    path = tmp_path / "force.csv"
    path.write_text(SPEND, encoding="utf-8")
    return path


def test_a_plugin_classifies_lines_and_the_lines_own_values_win(spend_file):
    rules = load_rules(entry_points=False, extra=[("roads", RoadsRule())])
    count = count_files([spend_file], rules, tp.Programme(id="p"), any_agency=True)
    assert count.total_by("category", "theme") == {
        ("community", "transport"): Decimal("30.00"),  # the line's own category wins
        ("public-realm", "transport"): Decimal("10.00"),
        ("unclassified", "unclassified"): Decimal("20.00"),  # no rule: counted, and listed
    }
    assert [(u.line, u.service) for u in count.unclassified] == [(3, "CAKE")]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("public-realm", "expected None or a mapping of category and/or theme"),
        ({"category": "sport"}, 'unknown category "sport"'),
        ({"colour": "red"}, "expected None or a mapping"),
    ],
)
def test_a_bad_answer_names_the_plugin(spend_file, answer, message):
    class Bad:
        @hookimpl
        def totalplace_classify_spend(self, line, programme):
            return answer

    rules = load_rules(entry_points=False, extra=[("bad-rule", Bad())])
    with pytest.raises(PluginError) as caught:
        count_files([spend_file], rules, tp.Programme(id="p"), any_agency=True)
    assert "plugin 'bad-rule' in hook totalplace_classify_spend" in str(caught.value)
    assert message in str(caught.value)


def test_the_kent_plugin_classifies_police_objective_lines_for_kent_only(kent_dir):
    programme = tp.load(kent_dir)
    rules = rules_for(programme.plugins)
    police = kent_dir / "baseline" / "kent-police-2008-09.csv"
    count = count_files([police], rules, programme)
    assert count.unclassified == ()
    themes = count.total_by("category", "theme")
    assert set(themes) == {("community", "community-safety"), ("public-realm", "transport")}
    # Another place's programme gets no Kent rules: the same lines stay unclassified.
    other = count_files([police], rules, tp.Programme(id="elsewhere", agencies=programme.agencies))
    assert set(other.total_by("category")) == {("unclassified",)}
    assert other.total == count.total


def test_the_python_api_counts_and_measures_gains(kent_dir):
    count = tp.count(kent_dir)
    assert count.total == Decimal("8300000000.00")
    gains = tp.gains(kent_dir, year="2008-09")
    assert gains.total.baseline == count.total
