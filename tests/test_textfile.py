"""read_text: the one way every reader opens a file (regular files, bounded, UTF-8)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from totalplace_cases import textfile
from totalplace_cases.errors import InputError
from totalplace_cases.textfile import read_text

TEXT = 'id = "café"\nyears = 3\n'


def problem(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_text(path)
    (only,) = caught.value.problems
    assert only.file == path
    return only.message


def test_utf8_is_read(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes(TEXT.encode("utf-8"))
    assert read_text(path) == TEXT


def test_a_utf8_byte_order_mark_is_removed(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    assert read_text(path) == TEXT


def test_windows_line_ends_are_kept_for_the_parser_which_accepts_them(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode("utf-8"))
    assert read_text(path).splitlines() == TEXT.splitlines()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_named(tmp_path, encoding):
    # With a byte-order mark ("utf-16") or without one (-le, -be, as some exports write).
    path = tmp_path / "a.toml"
    path.write_bytes(TEXT.encode(encoding))
    message = problem(path)
    assert "found UTF-16 text" in message
    assert "save it as UTF-8" in message


def test_utf32_is_named(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes(TEXT.encode("utf-32"))
    assert "found UTF-32 text" in problem(path)


def test_latin1_is_named_with_the_line_and_the_character(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes('years = 3\ntitle = "£5m"\n'.encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_text(path)
    (found,) = caught.value.problems
    assert found.line == 2
    assert "byte 0xa3 at line 2, column 10" in found.message
    assert "Latin-1 or Windows-1252" in found.message
    assert "'£'" in found.message


def test_binary_that_is_not_text_is_not_called_latin1(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes(b"\x01\x02\xff\xfe\x00")
    message = problem(path)
    assert "expected UTF-8 text" in message
    assert "Latin-1" not in message


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "case.toml"
    folder.mkdir()
    assert problem(folder) == "expected a file, found a folder"


def test_a_device_is_refused_without_reading_from_it():
    # /dev/zero would never end; it must be refused before any read.
    assert problem(Path("/dev/zero")) == "expected a file, found a character device"


def test_a_symlink_to_a_device_is_refused(tmp_path):
    link = tmp_path / "case.toml"
    link.symlink_to("/dev/zero")
    assert problem(link) == "expected a file, found a character device"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "case.toml"
    os.mkfifo(fifo)
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(problem(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=30)  # a reader that blocks on the FIFO would never return
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert result == ["expected a file, found a named pipe (FIFO)"]


def test_a_missing_file_is_named(tmp_path):
    assert "No such file" in problem(tmp_path / "none.toml")


def test_an_unreadable_file_is_named(tmp_path, monkeypatch):
    path = tmp_path / "a.toml"
    path.write_text(TEXT, encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:
        # Root reads any file: make the open fail as it does for everyone else.
        real_open = os.open

        def refuse(name, *args, **kwargs):
            if Path(name) == path:
                raise PermissionError(13, "Permission denied", str(name))
            return real_open(name, *args, **kwargs)

        monkeypatch.setattr(textfile.os, "open", refuse)
    assert problem(path) == "cannot read the file: Permission denied"


def test_a_nul_character_in_a_path_is_a_problem_not_a_crash(tmp_path):
    assert "NUL" in problem(tmp_path / "a\x00b.toml")


def test_a_file_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(textfile, "MAX_FILE_BYTES", 10)
    path = tmp_path / "a.toml"
    path.write_text(TEXT, encoding="utf-8")
    assert "the most the tool reads is 10 bytes" in problem(path)


def test_recording_digests_the_bytes_read(tmp_path):
    import hashlib

    path = tmp_path / "a.toml"
    path.write_bytes(TEXT.encode("utf-8"))
    with textfile.recording() as read:
        read_text(path)
        read_text(path)  # read twice, unchanged: one entry
    assert read == {path.resolve(): hashlib.sha256(TEXT.encode("utf-8")).hexdigest()}
    read_text(path)  # outside the block nothing is recorded
    assert len(read) == 1


def test_a_file_changed_between_two_reads_is_refused(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes(TEXT.encode("utf-8"))
    with textfile.recording():
        read_text(path)
        path.write_bytes(b'id = "other"\n')
        assert "changed while it was being read" in problem(path)
