"""Writing files: whole or not at all, with the user's umask, never over a link or a kept file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from totalplace_cases.io.atomic import OutputError, check_destination, write_bytes, write_text


@pytest.fixture
def umask():
    """Set the process umask for one test: ``umask(0o027)``."""
    previous = os.umask(0o022)
    os.umask(previous)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path, umask, mask, expected):
    umask(mask)
    path = tmp_path / "out.md"
    write_text(path, "text")
    assert path.read_text(encoding="utf-8") == "text"
    assert mode(path) == expected


def test_a_replaced_file_keeps_its_mode(tmp_path, umask):
    umask(0o022)
    path = tmp_path / "out.md"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_text(path, "new")
    assert path.read_text(encoding="utf-8") == "new"
    assert mode(path) == 0o640


def test_no_temporary_file_is_left_behind(tmp_path):
    write_text(tmp_path / "out.md", "text")
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "out.md"
    path.write_text("old", encoding="utf-8")

    def fail(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space"):
        write_text(path, "new")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_without_replace_an_existing_file_is_kept(tmp_path):
    path = tmp_path / "out.md"
    path.write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match="already exists"):
        write_text(path, "new", replace=False)
    assert path.read_text(encoding="utf-8") == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


@pytest.mark.parametrize("replace", [True, False])
def test_a_symlink_at_the_destination_is_not_replaced(tmp_path, replace):
    target = tmp_path / "target.md"
    target.write_text("kept", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    with pytest.raises(OutputError, match="symbolic link"):
        write_bytes(link, b"new", replace=replace)
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "kept"


def test_check_destination_refuses_what_would_be_lost(tmp_path):
    existing = tmp_path / "existing.md"
    existing.write_text("x", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere")
    check_destination(tmp_path / "new.md")  # a new file is fine
    check_destination(existing, replace=True)  # replacing is fine when asked for
    cases = {
        existing: "already exists; pass --force",
        folder: "is a folder",
        dangling: "is a symbolic link",
        tmp_path / "no" / "out.md": "does not exist",
    }
    for path, message in cases.items():
        with pytest.raises(OutputError, match=message):
            check_destination(path)


def test_check_destination_never_allows_an_input(tmp_path):
    case = tmp_path / "case.toml"
    case.write_text("x", encoding="utf-8")
    hard_link = tmp_path / "alias.toml"
    os.link(case, hard_link)
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "rules.py").write_text("", encoding="utf-8")
    for path in (case, hard_link, tmp_path / "." / "case.toml", plugin / "rules.py"):
        with pytest.raises(OutputError, match="one of this run's inputs"):
            check_destination(path, replace=True, inputs=[case, plugin])
