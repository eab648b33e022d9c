"""Input nobody should trust: each class of hostile or careless input gets a clear problem.

One section per class of issue 8 (structure, text encodings, numbers, periods, speed,
references, ids). Every input here is either accepted and read correctly, or refused with a
problem naming the file, line and field; nothing escapes as a bare Python exception.
"""

from __future__ import annotations

import os
import shutil
from decimal import Decimal, localcontext
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases.money import MAX_AMOUNT, MAX_VOLUME

# --- structure ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "programme_toml", "field", "fragment"),
    [
        ('programme = "kent"\n', "", "programme", "expected a table, found the string"),
        ("programme = 5\n", "", "programme", "expected a table, found the integer 5"),
        ('settings = "x"\n', "PROGRAMME", "settings", "expected a table"),
        ("agencies = 3\n", "HEAD", "agencies", "array of tables"),
    ],
)
def test_a_table_given_as_a_string_or_number_is_a_field_problem(
    write_programme, write_case, case_data, programme_text, before, programme_toml, field, fragment
):
    body = {"": "", "PROGRAMME": programme_text, "HEAD": programme_text.split("[[agencies]]")[0]}
    folder = write_programme(before + body[programme_toml])
    write_case(case_data, folder=folder.name, programme=None)
    with pytest.raises(tp.InputError) as caught:
        tp.load(folder)
    found = [p for p in caught.value.problems if p.field == field]
    assert found, caught.value
    assert fragment in found[0].message
    assert found[0].file == folder / "programme.toml"


@pytest.mark.parametrize("key", ["costs", "benefits", "realignments", "amounts"])
def test_a_case_table_given_as_a_number(write_case, case_data, the_problem, key):
    if key == "amounts":
        case_data["costs"][0]["amounts"] = 7
        field = "costs[0].amounts"
    else:
        case_data[key] = 7
        field = key
    problem = the_problem(write_case(case_data))
    assert problem.field == field
    assert "found the integer 7" in problem.message


@pytest.mark.parametrize("depth", [300, 5_000, 100_000])
@pytest.mark.parametrize("bracket", ["[]", "{}"])
def test_arrays_and_tables_nested_hundreds_deep(
    write_case, case_data, problems_of, toml, depth, bracket
):
    opening, closing = bracket
    value = (opening + ("a = " if opening == "{" else "")) * depth + "1" + closing * depth
    path = write_case(toml(case_data) + f"deep = {value}\n")
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].file == path
    message = problems[0].message
    assert "nested too deeply" in message or "unknown field" in message


def _special_file(folder: Path, kind: str) -> Path:
    path = folder / "odd.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("fifo", "expected a file, found a named pipe (FIFO)"),
        ("device", "expected a file, found a character device"),
        ("directory", "expected a file, found a folder"),
    ],
)
def test_a_toml_in_a_programme_folder_that_is_not_a_file(
    write_case, case_data, problems_of, watchdog, kind, message
):
    good = write_case(case_data)
    odd = _special_file(good.parent, kind)
    with watchdog(30):
        problems = problems_of(good.parent)
    assert [(p.file, p.message) for p in problems] == [(odd, message)]


def test_an_unreadable_toml_in_a_programme_folder(
    write_case, case_data, problems_of, toml, monkeypatch
):
    from totalplace_cases import textfile

    good = write_case(case_data)
    secret = good.parent / "secret.toml"
    secret.write_text(toml({**case_data, "id": "secret"}), encoding="utf-8")
    secret.chmod(0)
    real_open = os.open

    def refuse(name, *args, **kwargs):  # as for a user who is not root
        if Path(name) == secret:
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(textfile.os, "open", refuse)
    problems = problems_of(good.parent)
    assert [(p.file, p.message) for p in problems] == [
        (secret, "cannot read the file: Permission denied")
    ]


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("id", "case\x00id"),
        ("id", "case\x1b]0;title\x07"),
        ("sponsor", "lead\nagency"),
        ("costs[0].id", "staff\r"),
        ("costs[0].agency", "lead-agency\u202e"),
        ("category", "individual\x9b"),
    ],
)
def test_a_control_character_in_an_id_is_a_field_problem(
    write_case, case_data, the_problem, where, value
):
    if where.startswith("costs[0]."):
        case_data["costs"][0][where.split(".")[1]] = value
    else:
        case_data[where] = value
    problem = the_problem(write_case(case_data))
    assert problem.field == where
    assert "without control characters" in problem.message
    assert not any(c in str(problem) for c in "\x00\x1b\x07\n\r\u202e\x9b")


def test_a_nul_character_in_a_plugin_path_is_a_field_problem(
    write_programme, write_case, case_data, programme_text
):
    text = programme_text.replace('name = "Test', 'plugins = ["x\\u0000y"]\nname = "Test')
    folder = write_programme(text)
    write_case(case_data, folder=folder.name, programme=None)
    with pytest.raises(tp.InputError) as caught:
        tp.load(folder)
    (problem,) = caught.value.problems
    assert problem.field == "programme.plugins"
    assert "NUL character" in problem.message


@pytest.mark.parametrize("character", ["\\u0000", "\\u001b[2J"])
def test_a_control_character_in_the_register_location_is_a_field_problem(
    write_programme, write_case, case_data, programme_text, character
):
    # The register's commands refuse it; validate names it with the file, line and field first.
    text = programme_text.replace('name = "Test', f'register = "reg{character}.db"\nname = "Test')
    folder = write_programme(text)
    write_case(case_data, folder=folder.name, programme=None)
    with pytest.raises(tp.InputError) as caught:
        tp.load(folder)
    (problem,) = caught.value.problems
    assert problem.field == "programme.register"
    assert problem.line is not None and Path(problem.file).name == "programme.toml"
    assert "control character" in problem.message
    assert not any(c in str(problem) for c in "\x00\x1b")


def test_a_nul_character_in_a_plugin_path_given_to_load(kent_dir):
    with pytest.raises(tp.InputError, match="a plugin path cannot hold a NUL character"):
        tp.load(kent_dir, plugins=["plugins/\x00kent"])


def test_a_nul_character_in_a_path_given_to_load(tmp_path):
    with pytest.raises(tp.InputError, match="no such file"):
        tp.load(tmp_path / "a\x00b")


def test_an_id_that_is_a_whole_paragraph_is_refused(write_case, case_data, the_problem):
    case_data["id"] = "x" * 100_000
    problem = the_problem(write_case(case_data))
    assert problem.field == "id"
    assert "at most 200 characters, found 100,000" in problem.message
    assert len(str(problem)) < 400


# --- text encodings -----------------------------------------------------------------------------


def test_a_byte_order_mark_is_accepted_in_case_files_and_programme_toml(tmp_path, kent_dir):
    # The Kent programme copied with a BOM in every file, its plugins named by absolute path.
    folder = tmp_path / "kent"
    shutil.copytree(kent_dir, folder)
    for path in folder.glob("*.toml"):
        text = path.read_text(encoding="utf-8").replace(
            "../../plugins", str(kent_dir.parents[1] / "plugins")
        )
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    programme = tp.load(folder)
    assert len(programme.cases) == len(tp.load(kent_dir).cases)
    assert tp.appraise(programme).totals == tp.appraise(tp.load(kent_dir)).totals


def test_windows_line_ends_are_accepted_and_lines_still_named(
    write_case, case_data, the_problem, toml
):
    case_data["costs"][0]["kind"] = "revenu"
    path = write_case("x = 1\n")
    path.write_bytes(toml(case_data).replace("\n", "\r\n").encode("utf-8"))
    problem = the_problem(path)
    assert problem.field == "costs[0].kind"
    assert problem.line == toml(case_data).splitlines().index('kind = "revenu"') + 1


@pytest.mark.parametrize(
    ("encoding", "fragment"),
    [("latin-1", "Latin-1 or Windows-1252"), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16")],
)
def test_other_encodings_are_named(write_case, case_data, the_problem, encoding, fragment):
    case_data["title"] = "Café provision, £2m"
    path = write_case(case_data)
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    problem = the_problem(path)
    assert problem.file == path
    assert fragment in problem.message
    assert "save it as UTF-8" in problem.message


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["١٢", "1_000", "1e3", "NaN", "inf", ".5", "1,0"])
@pytest.mark.parametrize("field", ["volumes", "unit_value", "deadweight"])
def test_numbers_accept_only_the_forms_money_accepts(
    write_case, case_data, the_problem, written, field
):
    benefit = case_data["benefits"][0]
    if field == "deadweight":
        benefit["deadweight"] = written
        where = "benefits[0].deadweight"
    else:
        del benefit["amounts"]
        benefit["volumes"] = {"2011-12": "10"}
        benefit["unit_value"] = "100"
        if field == "volumes":
            benefit["volumes"] = {"2011-12": written}
            where = 'benefits[0].volumes."2011-12"'
        else:
            benefit["unit_value"] = written
            where = "benefits[0].unit_value"
    problem = the_problem(write_case(case_data))
    assert problem.field == where
    assert problem.line is not None


@pytest.mark.parametrize("key", ["amounts", "volumes"])
def test_a_benefit_with_an_empty_table_of_years_is_a_problem(
    write_case, case_data, the_problem, key
):
    # Found by the fuzzing harness: validate accepted it, and appraise could not value it.
    benefit = case_data["benefits"][0]
    benefit.pop("amounts")
    benefit[key] = {}
    if key == "volumes":
        benefit["unit_value"] = "10"
    problem = the_problem(write_case(case_data))
    assert problem.field == f"benefits[0].{key}"
    assert "at least one year" in problem.message


def test_volumes_take_thousands_commas_as_money_does(write_case, case_data):
    benefit = case_data["benefits"][0]
    del benefit["amounts"]
    benefit["volumes"] = {"2011-12": "1,500", "2012-13": 2, "2013-14": "2.5"}
    benefit["unit_value"] = "1,000.50"
    (case,) = tp.load(write_case(case_data)).cases
    line = case.benefits[0]
    assert list(line.volumes.values()) == [Decimal(1500), Decimal(2), Decimal("2.5")]
    assert line.unit_value == Decimal("1000.50")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("amounts", str(MAX_AMOUNT + 1), "no further from zero than 1,000,000,000,000,000"),
        ("volumes", str(MAX_VOLUME * 10), "no further from zero than 1,000,000,000,000"),
        ("amounts", "0." + "0" * 30 + "1", "at most 18 digits after the decimal point"),
    ],
)
def test_a_value_beyond_the_bounds_is_named_by_file_and_field(
    write_case, case_data, the_problem, field, value, fragment
):
    benefit = case_data["benefits"][0]
    if field == "volumes":
        del benefit["amounts"]
        benefit["unit_value"] = "1"
    benefit[field] = {"2011-12": value}
    path = write_case(case_data)
    problem = the_problem(path)
    assert (problem.file, problem.field) == (path, f'benefits[0].{field}."2011-12"')
    assert fragment in problem.message


def test_figures_at_the_bounds_stay_exact_and_printable(write_case, case_data, invoke):
    # The largest volume times the largest unit value, every year, with every adjustment.
    benefit = case_data["benefits"][0]
    del benefit["amounts"]
    benefit["volumes"] = {y: str(MAX_VOLUME) for y in ("2010-11", "2011-12", "2012-13")}
    benefit["unit_value"] = str(MAX_AMOUNT)
    case_data["costs"][0]["amounts"] = {"2010-11": str(MAX_AMOUNT), "2011-12": "0.01"}
    path = write_case(case_data)
    result = tp.appraise(tp.load(path.parent))
    case = result.cases[0]
    # 0.8 (deadweight) of 10^27 a year, discounted at 3.5%: exact to the penny.
    with localcontext() as exact:
        exact.prec = 80
        expected = sum(
            Decimal("0.8") * MAX_VOLUME * MAX_AMOUNT / Decimal("1.035") ** t for t in range(3)
        )
    assert abs(case.pv_benefits - expected) < Decimal("0.01")
    for fmt in ("table", "markdown", "json"):
        shown = invoke("appraise", path.parent, "--format", fmt)
        assert shown.exit_code == 0, shown.output
        assert "E+" not in shown.output and "Infinity" not in shown.output


# --- periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "years"), [("9990-91", 30), ("9998-99", 2), ("9000-01", 1000)])
def test_a_period_running_past_the_supported_range_is_a_field_problem(
    write_case, case_data, problems_of, start, years
):
    case_data.update(start=start, years=years)
    path = write_case(case_data)
    problems = {p.field: p for p in problems_of(path)}
    assert "run past 9998-99" in problems["years"].message
    assert problems["years"].file == path


def test_the_last_supported_year_can_be_appraised(write_case, case_data):
    case_data.update(start="9994-95", years=5)
    for line in (*case_data["costs"], *case_data["benefits"], *case_data["realignments"]):
        line["amounts"] = {"9998-99": "100"}
    (case,) = tp.load(write_case(case_data)).cases
    assert str(case.end) == "9998-99"


def test_years_written_as_a_huge_string_is_a_problem_not_a_crash(
    write_case, case_data, problems_of
):
    case_data["years"] = "99999999999999999999"
    problems = problems_of(write_case(case_data))
    assert [p.field for p in problems] == ["years"]


# --- speed --------------------------------------------------------------------------------------


def test_a_ten_megabyte_case_file_is_read_in_seconds(write_case, case_data, toml, watchdog):
    # About 30,000 cost lines with ten years each: 10 MB of TOML.
    case_data["years"] = 10
    years = [f"{2010 + i}-{(11 + i) % 100:02d}" for i in range(10)]
    line = dict(case_data["costs"][0], amounts={y: "123456.78" for y in years})
    lines: list[str] = []
    size = 0
    while size < 10_000_000:
        lines.append(toml({"costs": [dict(line, id=f"line-{len(lines)}")]}))
        size += len(lines[-1])
    case_data.pop("costs")
    path = write_case(toml(case_data) + "".join(lines))
    assert path.stat().st_size >= 10_000_000
    with watchdog(60):
        (case,) = tp.load(path).cases
    assert len(case.costs) == len(lines)


def test_a_ten_megabyte_file_of_problems_is_reported_in_seconds(
    write_case, case_data, toml, watchdog
):
    # Every line a problem with a long unknown key: the messages stay short and quick.
    case = toml(case_data)
    header, rest = case.split("\n[[costs]]", 1)
    junk = "".join(f'x{i}{"y" * 200} = "{"z" * 100}"\n' for i in range(30_000))
    path = write_case(header + "\n" + junk + "\n[[costs]]" + rest)
    with watchdog(60), pytest.raises(tp.InputError) as caught:
        tp.load(path)
    assert len(caught.value.problems) == 30_000
    assert max(len(str(p)) for p in caught.value.problems) < 1_000


DEEP_KEYS = {
    "a dotted key": "a." * 200_000 + "a = 1",
    "a key cut short": "a." * 200_000,
    "a table header": "[" + "a." * 200_000 + "a]",
    "a header left open": "[" + "a." * 200_000,
    "an array of tables": "[[" + "a." * 200_000 + "a]]",
    "a key in an inline table": "x = { " + "a." * 200_000 + "a = 1 }",
    "a quoted key cut short": '"a".' * 100_000 + '"a',
}


@pytest.mark.parametrize("line", DEEP_KEYS.values(), ids=DEEP_KEYS.keys())
def test_a_key_with_too_many_dotted_parts_is_refused_before_parsing(
    write_case, case_data, problems_of, toml, watchdog, line
):
    # tomllib reads dotted keys in quadratic time: 200,000 parts would take hours.
    text = toml(case_data)
    path = write_case(text.replace("\n[[costs]]", "\n" + line + "\n[[costs]]", 1))
    with watchdog(60):
        problems = problems_of(path)
    assert len(problems) == 1
    assert "dotted parts" in problems[0].message
    assert problems[0].line == text.split("\n[[costs]]")[0].count("\n") + 2


def test_a_key_with_a_few_dotted_parts_is_read(write_case, case_data, toml):
    text = toml(case_data)
    path = write_case(text.replace("\n[[costs]]", "\na.b.c = 1\n[[costs]]", 1))
    with pytest.raises(tp.InputError, match="a: unknown field"):
        tp.load(path)


# --- references ---------------------------------------------------------------------------------

LOOPS = {
    "itself": [("a", "a")],
    "two": [("a", "b"), ("b", "a")],
    "three": [("a", "b"), ("b", "c"), ("c", "a")],
}


@pytest.mark.parametrize("links", LOOPS.values(), ids=LOOPS.keys())
def test_an_agency_parent_chain_that_loops_is_refused(
    write_programme, write_case, problems_of, links
):
    text = '[programme]\nid = "p"\n' + "".join(
        f'\n[[agencies]]\nid = "{child}"\nparent = "{parent}"\n' for child, parent in links
    )
    folder = write_programme(text)
    problems = problems_of(folder)
    loops = [p for p in problems if "loops" in p.message]
    assert len(loops) == 1, problems
    (loop,) = loops
    assert loop.field == "agencies[0].parent"
    assert loop.line == text.splitlines().index(f'parent = "{links[0][1]}"') + 1
    assert " -> ".join([child for child, _ in links] + ["a"]) in loop.message


def test_a_chain_into_a_loop_reports_the_loop_once(write_programme, problems_of):
    text = '[programme]\nid = "p"\n' + "".join(
        f'\n[[agencies]]\nid = "{c}"\nparent = "{p}"\n'
        for c, p in (("x", "a"), ("a", "b"), ("b", "a"))
    )
    problems = [p for p in problems_of(write_programme(text)) if "loops" in p.message]
    assert [p.field for p in problems] == ["agencies[1].parent"]


def test_a_parent_chain_without_a_loop_is_fine(
    write_programme, write_case, case_data, programme_text
):
    text = programme_text + '\n[[agencies]]\nid = "dept"\nparent = "central"\n'
    text += '\n[[agencies]]\nid = "central"\n'
    text = text.replace('kind = "local"', 'kind = "local"\nparent = "dept"')
    folder = write_programme(text)
    write_case(case_data, folder=folder.name, programme=None)
    assert tp.load(folder).agency("lead-agency").parent == "dept"


# --- ids ----------------------------------------------------------------------------------------


def test_a_given_id_equal_to_an_earlier_lines_default_id(write_case, case_data, the_problem):
    # docs/case-files.md: a benefit without an id is "benefit-N" (N from 1), unique in the case.
    first = dict(case_data["benefits"][0])
    del first["id"]
    second = dict(first, id="benefit-1")
    case_data["benefits"] = [first, second]
    problem = the_problem(write_case(case_data))
    assert problem.field == "benefits[1].id"
    assert 'benefit id "benefit-1" is already the default id of benefits[0]' in problem.message


def test_a_default_id_equal_to_an_earlier_lines_given_id(write_case, case_data, the_problem):
    first = dict(case_data["benefits"][0], id="benefit-2")
    second = dict(first)
    del second["id"]
    case_data["benefits"] = [first, second]
    problem = the_problem(write_case(case_data))
    assert problem.field == "benefits[1]"
    assert 'its default id "benefit-2" is already the id of benefits[0]' in problem.message


def test_cost_ids_are_unique_when_given_and_may_be_left_out(write_case, case_data, the_problem):
    # docs/case-files.md: a cost line's id is optional, and unique among the case's costs.
    unnamed = {k: v for k, v in case_data["costs"][0].items() if k != "id"}
    case_data["costs"] = [unnamed, dict(unnamed)]
    (case,) = tp.load(write_case(case_data)).cases
    assert [c.id for c in case.costs] == [None, None]
    case_data["costs"] = [dict(unnamed, id="x"), dict(unnamed, id="x")]
    problem = the_problem(write_case(case_data, name="twice.toml", folder="other"))
    assert problem.field == "costs[1].id"
    assert "used twice" in problem.message


def test_a_fifo_given_as_an_evidence_return_is_refused(invoke, tmp_path, watchdog):
    fifo = tmp_path / "return.json"
    os.mkfifo(fifo)
    with watchdog(30):
        result = invoke("rollup", fifo)
    assert result.exit_code == 2
    assert "expected a file, found a named pipe (FIFO)" in result.stderr
