"""The fuzzing harness's engine: seeded, structured mutations of valid inputs, and the checks.

A :class:`Reader` (registered in ``readers.py``) says what a kind of input file looks like when
valid (its seeds), how to mutate it (its format: structured TOML or CSV mutations, plus the
byte-level ones every file gets) and how the tool reads it (the command that checks it, the
commands that use it, or a Python function). :func:`run_reader` then applies mutation after
mutation and checks every run:

- it ends with exit code 0 or 2 (a Python function: returns, or raises TotalPlaceError);
- it prints no traceback, no "internal error", and no raw control character;
- it ends within :data:`RUN_SECONDS`;
- when the checking command (``validate``) accepts the input, every using command
  (``appraise``) succeeds on it too.

Everything is reproducible from the seed: case ``i`` of reader ``r`` always applies the same
mutations to the same seed file.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import math
import os
import random
import shutil
import signal
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import tomli_w
from click.testing import CliRunner

from totalplace_cases.cli import cli
from totalplace_cases.display import control_characters
from totalplace_cases.errors import TotalPlaceError

#: The longest a single run may take before it counts as a hang.
RUN_SECONDS = 20.0


@attrs.frozen
class Seed:
    """A valid input laid out as files: ``files[mutate]`` is mutated, ``target`` is run."""

    name: str
    files: dict[str, bytes]
    mutate: str
    target: str = "."


@attrs.frozen
class Reader:
    """A kind of input the tool reads, as the harness (and the bad-input corpus) sees it.

    :param name: the reader's name, also its folder under ``tests/data/bad/``.
    :param format: ``"toml"``, ``"csv"`` or ``"json"``: which structured mutations apply; byte-level
        mutations (encodings, control characters, truncation, long lines...) apply to every file.
    :param seeds: valid inputs to start from (called once per session).
    :param check: the command that checks the input (``("validate",)``); the target is added.
    :param runs: commands that use the input; each must succeed whenever ``check`` does.
    :param call: instead of commands, a Python function that reads the target file; it must
        return or raise :class:`TotalPlaceError`.
    :param corpus: how a file of the bad-input corpus is laid out: the seed whose ``mutate``
        file it replaces (with valid files beside it, which must not be reported).
    :param share: the reader's share of the harness's cases (or time), against the others'.
    """

    name: str
    format: str
    seeds: Callable[[], list[Seed]]
    check: tuple[str, ...] = ()
    runs: tuple[tuple[str, ...], ...] = ()
    call: Callable[[Path], object] | None = None
    corpus: Callable[[], Seed] | None = None
    share: float = 1.0


@attrs.frozen
class Outcome:
    """One run of one command (or call) on one mutated input."""

    command: str
    exit_code: int
    output: str
    seconds: float


@attrs.frozen
class Failure:
    """A run that broke a rule, with what is needed to reproduce it."""

    reader: str
    index: int
    seed: str
    mutations: tuple[str, ...]
    problem: str
    output: str
    saved: Path | None = None

    def __str__(self) -> str:
        lines = [
            f"[{self.reader} #{self.index}] {self.problem}",
            f"  seed: {self.seed}; mutations: {', '.join(self.mutations)}",
        ]
        if self.saved is not None:
            lines.append(f"  input kept at: {self.saved}")
        lines.append("  output: " + self.output[-600:].replace("\n", "\n          "))
        return "\n".join(lines)


class Hung(BaseException):
    """A run that went on past RUN_SECONDS (a BaseException, so nothing catches it)."""


# --- values that break things -------------------------------------------------------------------

NUMBER_TEXTS = [
    "0", "-0", "1", "-1", "+3", "1,000", "1,00", "1,0000", "1.5", "0.1", ".5", "5.", "1e3",
    "1E-3", "nan", "NaN", "inf", "-Infinity", "1_000", "١٢٣", "１２", "٣.٥", "0x1F", "  7  ",
    "£1,200", "-£5", "£-5", "£", "1.2.3", "", " ", "9" * 16, "9" * 40, "1" + "0" * 15,
    "1" + "0" * 15 + ".01", "0." + "0" * 17 + "1", "0." + "0" * 30 + "1", "1" * 200_000,
    "999999999999999.999999999999999999", "-999999999999999", "1e999999", "0.5" + "0" * 100,
]  # fmt: skip
YEAR_TEXTS = [
    "2010-11", "2010/11", "2010-12", "2010", "2010-2011", "1000-01", "0999-00", "9998-99",
    "9999-00", "2199-00", " 2010 - 11 ", "2010-11 Q3", "٢٠١٠-١١", "2010‐11", "", "1990-91",
    "2030-31", "2009-10", "2024-25", "5000-01",
]  # fmt: skip
TEXTS = [
    "", " ", " kcc ", "kcc\x00", "k\x1b]0;title\x07", "\x1b[31mred", "\u202ekcc", "a\nb", "a\rb",
    "x" * 300, "x" * 100_000, "kcc", "kent-police", "lead-agency", "ucd:CR2.0", "ucd:", "gb:",
    "ucd:SS1.2", '"', "'", "\\", "é", "🙂", "\x9b2J", "green-book-health", "hmt-gdp-deflator",
    "revenue", "capital", "fiscal", "economic", "social", "real", "nominal", "start", "mid",
    "approved", "draft", "# not a comment", "[[costs]]", "a|b*c*_d_`e`<b>[l](x)#",
]  # fmt: skip
SCALARS: list[Any] = [
    0, -1, 1, 2, 6, 7, 1000, 1001, 2**31, 2**63 - 1, -(2**63), 0.0, 0.5, 1.5, -0.1, 1e-30,
    1e300, math.nan, math.inf, -math.inf, 1500000.0, True, False,
    dt.datetime(1979, 5, 27, 7, 32, tzinfo=dt.UTC), dt.date(2010, 4, 1), dt.time(7, 32),
    [], [1, "a"], ["2010-11"], {}, {"a": 1}, {"2010-11": "100"},
]  # fmt: skip
KEYS = ["id", "agency", "amounts", "volumes", "kind", "2010-11", "x", "", " ", "é", "a.b", "🙂"]


def _pick_value(rng: random.Random, old: Any) -> Any:
    """A replacement for ``old``: often of its own kind, sometimes of any kind."""
    roll = rng.random()
    if isinstance(old, str) and roll < 0.5:
        pool = (
            YEAR_TEXTS if _looks_like_year(old) else NUMBER_TEXTS if _looks_numeric(old) else TEXTS
        )
        return rng.choice(pool)
    if roll < 0.7:
        return copy.deepcopy(rng.choice(SCALARS))
    return rng.choice(NUMBER_TEXTS + YEAR_TEXTS + TEXTS)


def _looks_like_year(text: str) -> bool:
    return len(text) == 7 and text[4] in "-/" and text[:4].isdigit()


def _looks_numeric(text: str) -> bool:
    return bool(text) and text.strip().lstrip("£-+").replace(",", "").replace(".", "").isdigit()


# --- structured mutations of TOML data ----------------------------------------------------------

Path_ = tuple[Any, ...]


def _paths(data: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every path to a value inside ``data`` (dict keys and list indexes)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key)
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield (*path, index)
            yield from _paths(value, (*path, index))


def _parent(data: Any, path: Path_) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def _set(data: Any, path: Path_, value: Any) -> None:
    _parent(data, path)[path[-1]] = value


def _rename_key(rng: random.Random, key: str) -> str:
    choice = rng.randrange(5)
    if choice == 0 and len(key) > 1:
        i = rng.randrange(len(key))
        return key[:i] + key[i + 1 :]  # a typo: a letter dropped
    if choice == 1 and len(key) > 1:
        i = rng.randrange(len(key) - 1)
        return key[:i] + key[i + 1] + key[i] + key[i + 2 :]  # two letters swapped
    if choice == 2:
        return key.upper()
    if choice == 3 and _looks_like_year(key):
        start = int(key[:4]) + rng.choice([-30, -5, -1, 1, 5, 30, 900])
        start = min(max(start, 0), 9999)
        return f"{start:04d}-{(start + 1) % 100:02d}"
    return rng.choice(KEYS + YEAR_TEXTS)


def mutate_data(rng: random.Random, data: dict[str, Any]) -> str:
    """Change ``data`` in place in one structured way; returns a description."""
    paths = list(_paths(data))
    if not paths:
        data[rng.choice(KEYS)] = _pick_value(rng, None)
        return "added a key to an empty file"
    path = rng.choice(paths)
    parent, last = _parent(data, path), path[-1]
    old = parent[last]
    where = ".".join(map(str, path))
    kind = rng.randrange(12)
    if kind <= 3:
        parent[last] = _pick_value(rng, old)
        return f"value of {where}"
    if kind == 4:
        del parent[last]
        return f"removed {where}"
    if kind == 5 and isinstance(last, str):
        new = _rename_key(rng, last)
        value = parent.pop(last)
        parent[new] = value
        return f"renamed {where} to {new!r}"
    if kind == 6:
        depth = rng.choice([2, 5, 20, 60])
        value: Any = old
        for _ in range(depth):
            value = [value] if rng.random() < 0.5 else {"x": value}
        parent[last] = value
        return f"nested {where} {depth} deep"
    if kind == 7 and isinstance(parent, list):
        parent.insert(rng.randrange(len(parent) + 1), copy.deepcopy(old))
        return f"duplicated {where}"
    if kind == 8 and isinstance(old, (dict, list)):
        old.clear()
        return f"emptied {where}"
    if kind == 9:
        # A value moved from one place to another, where it is the wrong kind of thing.
        other = rng.choice(paths)
        try:
            parent[last] = copy.deepcopy(_parent(data, other)[other[-1]])
        except (KeyError, IndexError, TypeError):
            return "no-op"
        return f"copied {'.'.join(map(str, other))} into {where}"
    if kind == 10 and isinstance(parent, dict):
        parent[rng.choice(KEYS)] = _pick_value(rng, None)
        return f"added a key beside {where}"
    # Swap a string for another string of the file (an id for another id, a year for a name).
    strings = [p for p in paths if isinstance(_parent(data, p)[p[-1]], str)]
    if strings:
        other = rng.choice(strings)
        parent[last] = _parent(data, other)[other[-1]]
        return f"{where} set to the value of {'.'.join(map(str, other))}"
    return "no-op"


# --- structured mutations of CSV ----------------------------------------------------------------


def mutate_csv(rng: random.Random, text: str) -> tuple[str, str]:
    """One structured change to CSV text (after any ``#`` metadata lines)."""
    lines = text.splitlines(keepends=True)
    head = [line for line in lines if line.startswith("#")]
    body = "".join(line for line in lines if not line.startswith("#"))
    try:
        rows = list(csv.reader(io.StringIO(body)))
    except csv.Error:  # not CSV any more (a huge cell, a NUL): leave it to the byte mutations
        return text + "\n", "no structured change (unreadable CSV)"
    if not rows:
        return text + "a,b\n", "added a row to empty CSV"
    kind = rng.randrange(6)
    r = rng.randrange(len(rows))
    if kind <= 2 and rows[r]:
        c = rng.randrange(len(rows[r]))
        rows[r][c] = str(_pick_value(rng, rows[r][c]))
        what = f"cell {r},{c}"
    elif kind == 3:
        rows.insert(rng.randrange(len(rows) + 1), list(rows[r]))
        what = f"duplicated row {r}"
    elif kind == 4 and rows[r]:
        del rows[r][rng.randrange(len(rows[r]))]
        what = f"dropped a cell of row {r}"
    else:
        rows[r].append(str(_pick_value(rng, None)))
        what = f"added a cell to row {r}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return "".join(head) + out.getvalue(), what


# --- byte-level mutations -----------------------------------------------------------------------

BYTE_MUTATIONS = (
    "bom", "crlf", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "control", "nul",
    "truncate", "duplicate-line", "delete-line", "swap-lines", "deep-nesting", "long-line",
    "flip-byte", "lone-cr",
)  # fmt: skip


def mutate_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One change to the raw bytes of a file; returns the new bytes and a description."""
    kind = rng.choice(BYTE_MUTATIONS)
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines(keepends=True) or [""]
    if kind == "bom":
        return b"\xef\xbb\xbf" + data, kind
    if kind == "crlf":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), kind
    if kind in ("utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"):
        return text.encode(kind, errors="replace"), kind
    if kind in ("control", "nul"):
        char = "\x00" if kind == "nul" else rng.choice("\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9b\u202e")
        at = rng.randrange(len(text) + 1)
        return (text[:at] + char + text[at:]).encode("utf-8"), f"{kind} {char!r} at {at}"
    if kind == "truncate":
        at = rng.randrange(len(data) + 1)
        return data[:at], f"truncated at {at}"
    if kind == "duplicate-line":
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "".join(lines).encode("utf-8"), f"duplicated line {i + 1}"
    if kind == "delete-line":
        i = rng.randrange(len(lines))
        del lines[i]
        return "".join(lines).encode("utf-8"), f"deleted line {i + 1}"
    if kind == "swap-lines":
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines).encode("utf-8"), f"swapped lines {i + 1} and {j + 1}"
    if kind == "deep-nesting":
        depth = rng.choice([100, 500, 1000, 5000, 50_000])
        opening, closing = rng.choice([("[", "]"), ("{a = ", "}")])
        line = f"deep = {opening * depth}1{closing * depth}\n"
        return (line + text).encode("utf-8"), f"nested {depth} deep"
    if kind == "long-line":
        piece = rng.choice(["a", " ", '"', "\\", "[", "{", ",", "a.", '"\\"', "1,"])
        line = rng.choice(["", "x = ", "[", "k = { "]) + piece * 200_000 + "\n"
        i = rng.randrange(len(lines) + 1)
        lines.insert(i, line)
        return "".join(lines).encode("utf-8"), f"long line of {piece!r} at line {i + 1}"
    if kind == "lone-cr":
        return data.replace(b"\n", b"\r", 1), kind
    if not data:
        return b"\xff", "flip-byte in an empty file"
    at = rng.randrange(len(data))
    flipped = bytes([data[at] ^ (1 << rng.randrange(8))])
    return data[:at] + flipped + data[at + 1 :], f"flipped a bit at byte {at}"


def mutate(rng: random.Random, reader: Reader, data: bytes) -> tuple[bytes, list[str]]:
    """One to three mutations of ``data``, structured (by format) or byte-level."""
    done: list[str] = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        if rng.random() < 0.7:
            structured = _structured(rng, reader.format, data)
            if structured is not None:
                data, what = structured
                done.append(what)
                continue
        data, what = mutate_bytes(rng, data)
        done.append(what)
    return data, done


def _structured(rng: random.Random, fmt: str, data: bytes) -> tuple[bytes, str] | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(len(line) > 5_000 for line in text.splitlines()):
        return None  # a long-line mutation: tomllib and csv can be slow on those; bytes only
    if fmt == "csv":
        changed, what = mutate_csv(rng, text)
        return changed.encode("utf-8"), what
    if fmt == "json":
        try:
            parsed_json = json.loads(text)
        except (ValueError, RecursionError):
            return None
        if not isinstance(parsed_json, dict):
            return None
        what = mutate_data(rng, parsed_json)
        try:
            return json.dumps(parsed_json, default=str).encode("utf-8"), what
        except (TypeError, ValueError, RecursionError):
            return None
    try:
        parsed = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    what = mutate_data(rng, parsed)
    try:
        return tomli_w.dumps(parsed).encode("utf-8"), what
    except (TypeError, ValueError, RecursionError):
        return None


# --- running --------------------------------------------------------------------------------------


class Workspace:
    """A folder per reader where seeds are laid out and mutated files are run."""

    def __init__(self, root: Path, reader: Reader):
        self.root = root / reader.name
        self.reader = reader
        self.seeds = reader.seeds()
        self._written: str | None = None

    def lay_out(self, seed: Seed, content: bytes) -> Path:
        """Write ``seed``'s files (``content`` as its mutated file); returns the target."""
        folder = self.root / "run"
        if self._written != seed.name:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for name, data in seed.files.items():
                (folder / name).write_bytes(data)
            self._written = seed.name
        path = folder / seed.mutate
        if path.is_symlink() or not path.is_file():
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(True)
        path.write_bytes(content)
        return (folder / seed.target).resolve()

    def restore(self, seed: Seed) -> None:
        (self.root / "run" / seed.mutate).write_bytes(seed.files[seed.mutate])


def _alarm(seconds: float):
    def expire(_signum: int, _frame: object) -> None:
        raise Hung(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return previous


def _disarm(previous: Any) -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def run_once(reader: Reader, target: Path, runner: CliRunner) -> list[Outcome]:
    """Run the reader's commands (or call) on ``target``, each under the watchdog."""
    outcomes = []
    commands = [reader.check, *reader.runs] if reader.call is None else [("call",)]
    for command in commands:
        started = time.monotonic()
        previous = _alarm(RUN_SECONDS)
        try:
            if reader.call is not None:
                try:
                    reader.call(target)
                    code, output = 0, ""
                except TotalPlaceError as exc:
                    code, output = 2, f"error: {exc}"
            else:
                result = runner.invoke(cli, [*command, str(target)], catch_exceptions=True)
                code, output = result.exit_code, result.output
                if result.exception is not None and not isinstance(result.exception, SystemExit):
                    code = -1
                    output += f"\nuncaught {type(result.exception).__name__}: {result.exception}"
        except Hung as exc:
            code, output = -2, str(exc)
        except Exception as exc:  # a Python-function reader that let another exception out
            code, output = -1, f"uncaught {type(exc).__name__}: {exc}"
        finally:
            _disarm(previous)
        outcomes.append(Outcome(" ".join(command), code, output, time.monotonic() - started))
    return outcomes


def problems_with(outcomes: list[Outcome]) -> list[str]:
    """The rules a set of runs on one input broke (see the module's description)."""
    problems = []
    for outcome in outcomes:
        name = outcome.command
        if outcome.exit_code == -2:
            problems.append(f"{name}: hung ({outcome.output})")
        elif outcome.exit_code not in (0, 2):
            problems.append(f"{name}: exit code {outcome.exit_code}")
        if "Traceback (most recent call last)" in outcome.output:
            problems.append(f"{name}: printed a traceback")
        if "internal error" in outcome.output:
            problems.append(f"{name}: internal error")
        if control_characters(outcome.output.replace("\n", "").replace("\t", "")):
            problems.append(f"{name}: printed a raw control character")
        if outcome.seconds > RUN_SECONDS:
            problems.append(f"{name}: took {outcome.seconds:.1f} s")
    if outcomes and outcomes[0].exit_code == 0:
        for outcome in outcomes[1:]:
            if outcome.exit_code != 0:
                problems.append(f"{outcomes[0].command} accepted it but {outcome.command} failed")
    return problems


@attrs.define
class Report:
    """What a run of the harness did: cases run per reader, and the failures found."""

    cases: dict[str, int] = attrs.field(factory=dict)
    exits: dict[str, dict[int, int]] = attrs.field(factory=dict)
    failures: list[Failure] = attrs.field(factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        total = sum(self.cases.values())
        parts = [f"{name}: {count}" for name, count in self.cases.items()]
        exits = {
            name: ", ".join(f"exit {code}: {n}" for code, n in sorted(codes.items()))
            for name, codes in self.exits.items()
        }
        lines = [f"{total} cases in {self.seconds:.0f} s ({'; '.join(parts)})"]
        lines += [f"  {name}: {text}" for name, text in exits.items()]
        lines.append(f"{len(self.failures)} failures")
        return "\n".join(lines)


def run_reader(
    reader: Reader,
    workspace: Path,
    *,
    seed: int,
    cases: int | None,
    deadline: float | None,
    report: Report,
    keep: Path | None = None,
    only: int | None = None,
) -> None:
    """Mutate the reader's seeds ``cases`` times (or until ``deadline``), recording failures."""
    space = Workspace(workspace, reader)
    runner = CliRunner()
    report.cases.setdefault(reader.name, 0)
    exits = report.exits.setdefault(reader.name, {})
    index = -1
    while True:
        index += 1
        if only is not None and index != only:
            if index > only:
                return
            continue
        if cases is not None and index >= cases and only is None:
            return
        if deadline is not None and time.monotonic() >= deadline:
            return
        rng = random.Random(f"{seed}:{reader.name}:{index}")
        chosen = rng.choice(space.seeds)
        content, done = mutate(rng, reader, chosen.files[chosen.mutate])
        target = space.lay_out(chosen, content)
        outcomes = run_once(reader, target, runner)
        space.restore(chosen)
        report.cases[reader.name] += 1
        code = outcomes[0].exit_code
        exits[code] = exits.get(code, 0) + 1
        broken = problems_with(outcomes)
        if broken:
            saved = None
            if keep is not None:
                saved = keep / f"{reader.name}-{index}-{chosen.mutate}"
                saved.parent.mkdir(parents=True, exist_ok=True)
                saved.write_bytes(content)
            output = "\n".join(f"$ {o.command}: exit {o.exit_code}\n{o.output}" for o in outcomes)
            report.failures.append(
                Failure(
                    reader.name, index, chosen.name, tuple(done), "; ".join(broken), output, saved
                )
            )


def settings_from_environment() -> dict[str, Any]:
    """The harness's knobs: how many cases (or seconds), which seed, where to keep failures.

    - ``TOTALPLACE_FUZZ_SECONDS``: run for this long in all (split between the readers) instead
      of a fixed number of cases, e.g. 600 for the ten-minute run;
    - ``TOTALPLACE_FUZZ_CASES``: the number of cases in all (default 1,600, about a minute);
    - ``TOTALPLACE_FUZZ_SEED``: the seed (default 20100401); a failure names its case number;
    - ``TOTALPLACE_FUZZ_ONLY``: run only this case number (to reproduce one failure);
    - ``TOTALPLACE_FUZZ_KEEP``: a folder to keep each failing input in.
    """
    env = os.environ
    seconds = float(env["TOTALPLACE_FUZZ_SECONDS"]) if env.get("TOTALPLACE_FUZZ_SECONDS") else None
    return {
        "seconds": seconds,
        "cases": None if seconds else int(env.get("TOTALPLACE_FUZZ_CASES") or 1600),
        "seed": int(env.get("TOTALPLACE_FUZZ_SEED") or 20100401),
        "only": int(env["TOTALPLACE_FUZZ_ONLY"]) if env.get("TOTALPLACE_FUZZ_ONLY") else None,
        "keep": Path(env["TOTALPLACE_FUZZ_KEEP"]) if env.get("TOTALPLACE_FUZZ_KEEP") else None,
    }
