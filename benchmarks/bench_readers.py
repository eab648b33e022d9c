"""Reading large and hostile case files: the reader's time against tomllib's alone.

Issue 8 asks that a 10 MB case file be read in seconds and that no input make a reader
super-linear. This writes, in a temporary folder,

- a valid case file of about 10 MB (thousands of cost lines of ten years each), and
- hostile files of the same size: one line of spaces in an unclosed table header, an inline
  table of unclosed strings, 10 MB of unknown keys (every line a problem), a key of 50,000
  dotted parts (refused before tomllib, which takes quadratic time over it),

then reads each with ``totalplace_cases.load`` (text reading, TOML parsing, line-finding and
every check) and, in the same run, parses the same text with ``tomllib.loads`` alone: the ratio
is what the project adds to the parser. Run::

    .venv/bin/python benchmarks/bench_readers.py [--megabytes 10]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import totalplace_cases as tp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import PROGRAMME_TOML, VALID_CASE, toml_text  # noqa: E402


def _big_case(size: int) -> str:
    data = copy.deepcopy(VALID_CASE)
    data["years"] = 10
    years = [f"{2010 + i}-{(11 + i) % 100:02d}" for i in range(10)]
    line = dict(data.pop("costs")[0], amounts={y: "123456.78" for y in years})
    parts, total = [toml_text(data)], 0
    while total < size:
        parts.append(toml_text({"costs": [dict(line, id=f"line-{len(parts)}")]}))
        total += len(parts[-1])
    return "".join(parts)


def _hostile(size: int) -> dict[str, str]:
    head = toml_text(VALID_CASE).split("\n[[costs]]")[0] + "\n"
    return {
        "an unclosed header of spaces": head + "[a" + " " * size + "x\n",
        "an inline table of unclosed strings": head + 'k = { , "a' + ', "a' * (size // 4) + "\n",
        "unknown keys, every line a problem": head
        + "".join(f'x{i}{"y" * 200} = "{"z" * 100}"\n' for i in range(size // 320)),
        "a key of 50,000 dotted parts": head + "a." * 50_000 + "a = 1\n",
    }


def _time(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _load(path: Path) -> None:
    with contextlib.suppress(tp.InputError):
        tp.load(path)


def _parse(text: str) -> None:
    with contextlib.suppress(tomllib.TOMLDecodeError):
        tomllib.loads(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=float, default=10)
    size = int(parser.parse_args().megabytes * 1_000_000)
    files = {"a valid case file": _big_case(size), **_hostile(size)}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "programme.toml").write_text(PROGRAMME_TOML, encoding="utf-8")
        print(f"{'file':40} {'MB':>6} {'load':>8} {'tomllib':>8} {'ratio':>6}")
        for name, text in files.items():
            path = Path(folder) / "case.toml"
            path.write_text(text, encoding="utf-8")
            loaded = _time(lambda path=path: _load(path))
            if name.startswith("a key of"):
                parsed = float("nan")  # tomllib alone would take hours: not run
            else:
                parsed = _time(lambda text=text: _parse(text))
            ratio = loaded / parsed if parsed == parsed else float("nan")
            megabytes = len(text.encode("utf-8")) / 1e6
            print(f"{name:40} {megabytes:6.1f} {loaded:7.2f}s {parsed:7.2f}s {ratio:6.2f}")


if __name__ == "__main__":
    main()
