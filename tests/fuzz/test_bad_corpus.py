"""The bad-input corpus (tests/data/bad): every file gets its message, its exit code, no traceback.

Each file under ``tests/data/bad/<reader>/`` is laid out as its reader's corpus seed says (a bad
case file in a programme folder beside a valid case, a bad ``programme.toml`` beside a valid
case...), then every command of the reader is run on it. ``tests/data/bad/expected.toml`` gives,
for each file, the exit code and a fragment of the message. The valid files beside a bad one
must not be reported (unless the entry says ``others = true``: a broken ``programme.toml`` can
make its cases' agencies unknown), and pass with a valid file in the bad one's place.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzzing import Workspace, problems_with, run_once
from readers import READERS

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
EXPECTED = tomllib.loads((BAD / "expected.toml").read_text(encoding="utf-8"))
BY_NAME = {reader.name: reader for reader in READERS}


def test_the_corpus_covers_every_reader_with_at_least_40_files():
    files = sorted(str(p.relative_to(BAD)) for p in BAD.glob("*/*") if p.is_file())
    assert files == sorted(EXPECTED), "every file has an entry in expected.toml, and no more"
    assert len(files) >= 40
    readers = {name.split("/")[0] for name in files}
    assert readers == {r.name for r in READERS if r.corpus is not None}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_bad_file_gets_its_message_and_exit_code(name, tmp_path):
    expected = EXPECTED[name]
    reader = BY_NAME[name.split("/")[0]]
    assert reader.corpus is not None
    seed = reader.corpus()
    space = Workspace(tmp_path, reader)
    target = space.lay_out(seed, (BAD / name).read_bytes())
    outcomes = run_once(reader, target, CliRunner())
    assert problems_with(outcomes) == []
    for outcome in outcomes:
        assert outcome.exit_code == expected["exit"], outcome
        assert expected["message"] in outcome.output, outcome.output
        if not expected.get("others", False):
            for neighbour in set(seed.files) - {seed.mutate}:
                assert f"/{neighbour}" not in outcome.output, outcome.output
    # The same layout with the seed's own, valid, file passes: the rest of it is valid.
    space.restore(seed)
    assert run_once(reader, target, CliRunner())[0].exit_code == 0
