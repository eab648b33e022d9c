"""The HTML pack's templates: a programme's own folder is found first and may extend the
shipped ones; a template that fails names its file and line."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from totalplace_cases.cli import cli
from totalplace_cases.reports.pack.html import builtin_templates

KENT = Path(__file__).resolve().parents[3] / "cases" / "kent"
REPO = KENT.parents[1]


@pytest.fixture
def kent_copy(tmp_path) -> Path:
    shutil.copytree(REPO / "plugins", tmp_path / "plugins")
    shutil.copytree(KENT, tmp_path / "cases" / "kent")
    return tmp_path / "cases" / "kent"


def evidence(*args: str | Path):
    return CliRunner().invoke(cli, ["evidence", *map(str, args)])


def test_a_programme_names_its_own_templates(kent_copy, tmp_path):
    folder = kent_copy / "pack-templates"
    folder.mkdir()
    (folder / "pack.html.j2").write_text(
        '{% extends "totalplace/pack.html.j2" %}\n'
        "{% block footer %}<footer>Prepared by the Kent programme office</footer>{% endblock %}\n",
        encoding="utf-8",
    )
    programme = kent_copy / "programme.toml"
    programme.write_text(
        programme.read_text(encoding="utf-8") + '\n[evidence]\ntemplates = "pack-templates"\n',
        encoding="utf-8",
    )
    result = evidence(kent_copy, "--format", "html", "--out", tmp_path / "pack.html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "pack.html").read_text(encoding="utf-8")
    assert "<footer>Prepared by the Kent programme office</footer>" in page
    assert 'id="table-summary"' in page  # the rest is the shipped template's


def test_a_missing_template_folder_is_a_problem_in_programme_toml(kent_copy, tmp_path):
    programme = kent_copy / "programme.toml"
    text = programme.read_text(encoding="utf-8") + '\n[evidence]\ntemplates = "nowhere"\n'
    programme.write_text(text, encoding="utf-8")
    result = evidence(kent_copy, "--format", "html", "--out", tmp_path / "pack.html")
    assert result.exit_code == 2
    line = text.splitlines().index('templates = "nowhere"') + 1
    assert f"programme.toml:{line}" in result.output and "evidence.templates" in result.output


EXTENDS = "{% extends 'totalplace/pack.html.j2' %}\n{% block footer %}\n"


@pytest.mark.parametrize(
    ("template", "line", "says"),
    [
        (EXTENDS + "{% if %}\n{% endblock %}", 3, "Expected an expression"),
        (EXTENDS + "\n{{ pack.nothing }}{% endblock %}", 4, "nothing"),
    ],
)
def test_a_template_error_names_the_template_and_line(tmp_path, template, line, says):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "pack.html.j2").write_text(template, encoding="utf-8")
    out = tmp_path / "pack.html"
    result = evidence(KENT, "--format", "html", "--out", out, "--templates", folder)
    assert result.exit_code == 2
    assert f"pack.html.j2, line {line}" in result.output and says in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_the_wheel_ships_the_html_templates():
    """The wheel's force-include copies templates/ into the package, where an installed
    library looks for them (``bundled("templates", "evidence")``)."""
    built = sorted(p.relative_to(builtin_templates()) for p in builtin_templates().rglob("*.j2"))
    assert Path("pack.html.j2") in built and Path("table.html.j2") in built
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates" = "totalplace_cases/_bundled/templates"' in pyproject


def test_an_installed_wheel_finds_the_html_template(tmp_path):
    """Build the wheel, install it in a fresh environment without the repository, and make
    an HTML pack of the bundled Kent example there."""
    import subprocess
    import sys

    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(REPO)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(wheels.glob("totalplace_cases-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "totalplace_cases/_bundled/templates/evidence/pack.html.j2" in names
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    out = tmp_path / "pack.html"
    run = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); "
         "from totalplace_cases.cli import main; "
         "main(['evidence', '--format', 'html', '--out', sys.argv[2]])",
         str(target), str(out)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert str(target) in run.stderr  # the bundled Kent example, from the installed wheel
    assert 'id="table-summary"' in out.read_text(encoding="utf-8")
