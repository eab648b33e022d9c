"""The seeded mutation test: thousands of broken inputs, and never a traceback or a hang.

For each reader registered in ``readers.py``, valid seed files are mutated (types, values,
encodings, nesting, duplicated and missing keys...) and the tool is run on each result. Every
run must end with exit code 0 or 2, print no traceback and no raw control character, finish in
time, and, when ``validate`` accepts the input, ``appraise`` must succeed on it.

In CI this runs 1,600 cases (about a minute). The ten-minute run is::

    TOTALPLACE_FUZZ_SECONDS=600 .venv/bin/python -m pytest tests/fuzz/test_mutations.py -s

(see tests/README.md for the other settings).
"""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from fuzzing import Report, Workspace, run_once, run_reader, settings_from_environment
from readers import READERS

SETTINGS = settings_from_environment()
TOTAL_SHARE = sum(r.share for r in READERS)


@pytest.mark.parametrize("reader", READERS, ids=[r.name for r in READERS])
def test_every_seed_is_valid_as_it_stands(reader, tmp_path):
    # Mutations of an invalid seed would all be refused for the seed's fault, testing nothing.
    space = Workspace(tmp_path, reader)
    for seed in space.seeds:
        outcomes = run_once(reader, space.lay_out(seed, seed.files[seed.mutate]), CliRunner())
        assert [o.exit_code for o in outcomes] == [0] * len(outcomes), (seed.name, outcomes)


@pytest.mark.parametrize("reader", READERS, ids=[r.name for r in READERS])
def test_mutated_inputs_end_cleanly(reader, tmp_path):
    share = reader.share / TOTAL_SHARE
    cases = None if SETTINGS["cases"] is None else max(1, round(SETTINGS["cases"] * share))
    deadline = None
    if SETTINGS["seconds"] is not None:
        deadline = time.monotonic() + SETTINGS["seconds"] * share
    report = Report()
    started = time.monotonic()
    run_reader(
        reader,
        tmp_path,
        seed=SETTINGS["seed"],
        cases=cases,
        deadline=deadline,
        report=report,
        keep=SETTINGS["keep"],
        only=SETTINGS["only"],
    )
    report.seconds = time.monotonic() - started
    print(f"\n{reader.name}: {report.summary()}")
    assert report.cases[reader.name] > 0
    assert not report.failures, "\n\n".join(map(str, report.failures[:10]))
    if SETTINGS["only"] is None:
        # The mutations reach past the parser: some inputs are accepted, most are refused.
        exits = report.exits[reader.name]
        assert exits.get(2, 0) > 0
        assert exits.get(0, 0) > 0
