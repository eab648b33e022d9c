"""Every reader the fuzzing harness and the bad-input corpus run over. Register new ones here.

A reader is a kind of file the tool reads. To put a new one under the harness (a spend file for
``totalplace count``, a register import for ``totalplace track``...), add one
:class:`~fuzzing.Reader` to :data:`READERS`:

1. ``seeds``: a function returning valid examples of the file, each laid out with the files it
   needs beside it (a :class:`~fuzzing.Seed`: file name -> bytes, the file to mutate, and the
   path to run the command on). Take them from the repository (``cases/``, ``templates/``, a
   ``tests/data`` folder), never from outside it.
2. ``format``: ``"toml"``, ``"csv"`` or ``"json"`` picks the structured mutations; the
   byte-level ones (encodings, control characters, truncation, long lines, deep nesting) apply
   to every file.
3. ``check`` and ``runs``: the command that checks the file (exit 0 or 2) and the commands
   that use it (each must succeed when the check does), e.g. ``("count", "--check")`` and
   ``(("count",), ("gains",))``. Or ``call``: a Python function that reads the file.
4. ``corpus``: the seed a file of ``tests/data/bad/<name>/`` replaces, with valid files beside
   it; then add the bad files and their expected messages to ``tests/data/bad/expected.toml``.

``test_mutations.py`` and ``tests/data/bad`` then cover the new reader with no other change.
"""

from __future__ import annotations

import functools
from pathlib import Path

from fuzzing import Reader, Seed

import totalplace_cases as tp
from totalplace_cases.errors import InputError, Problem
from totalplace_cases.io.register.importfile import read_entries
from totalplace_cases.parameters import read_table

REPO = Path(__file__).resolve().parents[2]
KENT = REPO / "cases" / "kent"
TEMPLATES = REPO / "templates"


def _kent_programme() -> bytes:
    """Kent's programme.toml, its plugins and spend files named by absolute path (it is
    copied without them)."""
    text = (KENT / "programme.toml").read_text(encoding="utf-8")
    text = text.replace('"../../plugins/', f'"{(REPO / "plugins").as_posix()}/')
    return text.replace('"baseline/', f'"{(KENT / "baseline").as_posix()}/').encode("utf-8")


def _read(path: Path) -> bytes:
    return path.read_bytes()


def case_file_seeds() -> list[Seed]:
    """Each Kent case beside Kent's programme, and each template case beside the template's."""
    kent = _kent_programme()
    template = _read(TEMPLATES / "programme" / "programme.toml")
    seeds = [
        Seed(f"kent/{p.name}", {"programme.toml": kent, "case.toml": _read(p)}, "case.toml",
             "case.toml")
        for p in sorted(KENT.glob("kent-*.toml"))
    ]  # fmt: skip
    cases = [TEMPLATES / "programme" / "example-case.toml", *sorted(TEMPLATES.glob("case/*.toml"))]
    seeds += [
        Seed(f"templates/{p.parent.name}/{p.name}", {"programme.toml": template,
             "case.toml": _read(p)}, "case.toml", "case.toml")
        for p in cases
    ]  # fmt: skip
    return seeds


def case_file_corpus() -> Seed:
    """A case file in the template programme's folder, beside the template's valid case."""
    files = {
        "programme.toml": _read(TEMPLATES / "programme" / "programme.toml"),
        "good.toml": _read(TEMPLATES / "programme" / "example-case.toml"),
        "bad.toml": _read(TEMPLATES / "case" / "community.toml"),
    }
    return Seed("corpus", files, "bad.toml", ".")


def programme_seeds() -> list[Seed]:
    """Kent's programme.toml with one of its cases, and the template programme with its case."""
    return [
        Seed("kent/programme.toml", {"programme.toml": _kent_programme(),
             "case.toml": _read(KENT / "kent-community-safety.toml")}, "programme.toml", "."),
        Seed("templates/programme.toml", {
             "programme.toml": _read(TEMPLATES / "programme" / "programme.toml"),
             "case.toml": _read(TEMPLATES / "programme" / "example-case.toml")},
             "programme.toml", "."),
    ]  # fmt: skip


def programme_corpus() -> Seed:
    """A bad programme.toml beside the template's valid case."""
    return programme_seeds()[1]


def parameter_table_seeds() -> list[Seed]:
    """The library's own parameter tables (CSV with # metadata), read as a plugin reads one."""
    folder = REPO / "src" / "totalplace_cases" / "data"
    return [
        Seed(f"data/{p.name}", {"table.csv": _read(p)}, "table.csv", "table.csv")
        for p in sorted(folder.glob("*.csv"))
    ]


def parameter_table_corpus() -> Seed:
    return parameter_table_seeds()[0]


def spend_file_seeds() -> list[Seed]:
    """Kent's spend files (the baseline of the count), each counted on its own: CSV files, and
    an Excel workbook (not text, so it gets the byte-level mutations only)."""
    return [
        Seed(f"kent/baseline/{p.name}", {f"spend{p.suffix}": _read(p)}, f"spend{p.suffix}",
             f"spend{p.suffix}")
        for p in sorted((KENT / "baseline").glob("*.*"))
        if p.suffix in (".csv", ".xlsx")
    ]  # fmt: skip


def spend_file_corpus() -> Seed:
    return spend_file_seeds()[0]


def register_import_seeds() -> list[Seed]:
    """Kent's file of actuals, as ``totalplace track import`` reads it."""
    path = KENT / "actuals-2010-12.csv"
    return [Seed(f"kent/{path.name}", {"actuals.csv": _read(path)}, "actuals.csv", "actuals.csv")]


def register_import_corpus() -> Seed:
    return register_import_seeds()[0]


@functools.cache
def _kent_cases() -> dict:
    from totalplace_cases.io.register.entries import refs_of

    return refs_of(tp.load(KENT), [])


def read_actuals(path: Path) -> object:
    """What ``track import`` does to a file of actuals before writing: read every row, and
    check each against the Kent programme's cases (as a register with no baselines would)."""
    from totalplace_cases.io.register.entries import EntryChecker

    problems: list[Problem] = []
    raws = read_entries(path, problems)
    checker = EntryChecker(_kent_cases(), default_by="fuzz")
    entries = [checker.check(raw, problems) for raw in raws]
    if problems:
        raise InputError(problems)
    return entries


@functools.cache
def _template_return() -> bytes:
    """An evidence return (``totalplace evidence --format json``) of the template programme."""
    import tempfile

    from click.testing import CliRunner

    from totalplace_cases.cli import cli

    out = Path(tempfile.mkdtemp()) / "return.json"
    args = ["evidence", str(TEMPLATES / "programme"), "--format", "json", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--as-at", "2012-03-31"])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def evidence_return_seeds() -> list[Seed]:
    """A place's evidence return, as ``totalplace rollup`` reads it."""
    return [Seed("templates/return.json", {"return.json": _template_return()}, "return.json",
                 "return.json")]  # fmt: skip


def evidence_return_corpus() -> Seed:
    return evidence_return_seeds()[0]


READERS: list[Reader] = [
    Reader(
        name="case-file",
        format="toml",
        seeds=case_file_seeds,
        check=("validate",),
        runs=(
            ("appraise",),
            ("appraise", "--format", "json"),
            ("sensitivity", "--draws", "20", "--format", "json"),
        ),
        corpus=case_file_corpus,
        share=6,
    ),
    Reader(
        name="programme",
        format="toml",
        seeds=programme_seeds,
        check=("validate",),
        runs=(("appraise",), ("sensitivity", "--format", "json")),
        corpus=programme_corpus,
        share=3,
    ),
    Reader(
        name="spend-file",
        format="csv",
        seeds=spend_file_seeds,
        check=("count",),
        runs=(("count", "--format", "json"),),
        corpus=spend_file_corpus,
        share=2,
    ),
    Reader(
        name="register-import",
        format="csv",
        seeds=register_import_seeds,
        call=read_actuals,
        corpus=register_import_corpus,
        share=1,
    ),
    Reader(
        name="evidence-return",
        format="json",
        seeds=evidence_return_seeds,
        check=("rollup",),
        runs=(("rollup", "--format", "json"),),
        corpus=evidence_return_corpus,
        share=1,
    ),
    Reader(
        name="parameter-table",
        format="csv",
        seeds=parameter_table_seeds,
        call=read_table,
        corpus=parameter_table_corpus,
        share=1,
    ),
]
