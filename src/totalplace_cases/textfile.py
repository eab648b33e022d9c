"""Reading a text file the tool was given: a regular file of bounded size, in UTF-8.

Every reader (``programme.toml``, case files, and readers added later such as spend files and
register imports) reads its file through :func:`read_text`, so that all of them accept and
refuse the same things, with the same messages:

- only a regular file is read: a folder, a named pipe (FIFO), a device or a socket is refused
  before anything is read from it, so a ``*.toml`` that is ``/dev/zero`` or a FIFO cannot make
  the tool hang or fill memory;
- at most :data:`MAX_FILE_BYTES` are read;
- the text must be UTF-8. A UTF-8 byte-order mark (which Windows editors add) is removed, and
  Windows line ends (CRLF) are accepted. UTF-16 and UTF-32 text, and Latin-1 or Windows-1252
  text, are named as such in the message, with advice to save the file as UTF-8.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from .display import shown
from .errors import InputError, Problem

__all__ = ["MAX_FILE_BYTES", "decode_text", "read_text", "recording"]

#: The largest file the tool reads (50 MiB): far more than any case file or spend file needs.
MAX_FILE_BYTES = 50 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SAVE_AS_UTF8 = "save it as UTF-8 (in most editors: Save As, encoding UTF-8)"


def read_text(path: Path | str, *, limit: int | None = None) -> str:
    """The text of the file at ``path``.

    :param limit: the most bytes to read, if not :data:`MAX_FILE_BYTES` (an evidence return
        may be larger than any case file).
    :raises InputError: with one problem naming the file, when it is not a regular file, is too
        large, cannot be read, or is not UTF-8 text.
    """
    path = Path(path)
    return decode_text(_read_bytes(path, MAX_FILE_BYTES if limit is None else limit), path)


#: The files read while :func:`recording` is active, by resolved path, with the SHA-256 of the
#: bytes read; None when nothing is recording.
_RECORD: ContextVar[dict[Path, str] | None] = ContextVar("totalplace_reads", default=None)


@contextlib.contextmanager
def recording() -> Iterator[dict[Path, str]]:
    """Record the SHA-256 of the bytes of every file :func:`read_text` reads inside the block.

    A return that names its inputs by digest (the evidence pack) digests what its figures were
    read from, not the file as it is a moment later. A file read twice with different bytes
    (changed while the tool was reading it) is refused.
    """
    record: dict[Path, str] = {}
    token = _RECORD.set(record)
    try:
        yield record
    finally:
        _RECORD.reset(token)


def _note_read(path: Path, data: bytes) -> None:
    record = _RECORD.get()
    if record is None:
        return
    key = path.resolve()
    digest = hashlib.sha256(data).hexdigest()
    if record.setdefault(key, digest) != digest:
        raise _fail(path, CHANGED_WHILE_READ)


#: The message for an input that changed while the tool was reading it.
CHANGED_WHILE_READ = "the file changed while it was being read; run the command again"


def _fail(path: Path, message: str, line: int | None = None) -> InputError:
    return InputError([Problem(message, file=path, line=line)])


def _read_bytes(path: Path, limit: int) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        # Opening without blocking, then checking what was opened, leaves no moment in which a
        # FIFO put in the file's place could make the open or the read wait forever.
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except ValueError:  # a NUL byte in the path
        raise _fail(path, "cannot read the file: the path holds a NUL character") from None
    except OSError as exc:
        raise _fail(path, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        for test, kind in _KINDS:
            if test(info.st_mode):
                raise _fail(path, f"expected a file, found {kind}")
        if not stat.S_ISREG(info.st_mode):
            raise _fail(path, "expected a file, found something else")
        if info.st_size > limit:
            raise _fail(path, _too_large(info.st_size, limit))
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise _fail(path, f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise _fail(path, _too_large(len(data), limit))
    _note_read(path, data)
    return data


def _too_large(size: int, limit: int) -> str:
    return (
        f"the file is {size:,} bytes; the most the tool reads is {limit:,} bytes "
        f"({limit // 2**20} MiB)"
    )


def decode_text(data: bytes, path: Path | str) -> str:
    """``data`` decoded as UTF-8 (a byte-order mark removed); a problem naming the encoding."""
    path = Path(path)
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise _fail(
                path,
                f"expected UTF-8 text, found {name} text (the file starts with a {name} "
                f"byte-order mark); {_SAVE_AS_UTF8}",
            )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    wide = _looks_utf16(data)
    if wide:
        raise _fail(path, f"expected UTF-8 text, found {wide} text; {_SAVE_AS_UTF8}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, *_not_utf8(data, exc.start)) from None


def _looks_utf16(data: bytes) -> str | None:
    """ "UTF-16" when text without a byte-order mark has a NUL beside most ASCII characters."""
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zeros = even.count(0) >= 0.4 * len(even)
    odd_zeros = odd.count(0) >= 0.4 * len(odd)
    return "UTF-16" if even_zeros != odd_zeros else None


def _not_utf8(data: bytes, start: int) -> tuple[str, int]:
    """The message (and line) for bytes that are not UTF-8, naming the likely encoding."""
    line = data.count(b"\n", 0, start) + 1
    column = start - (data.rfind(b"\n", 0, start) + 1) + 1
    byte = data[start]
    message = f"expected UTF-8 text, found byte {byte:#04x} at line {line}, column {column}"
    if not any(b < 0x20 and b not in (0x09, 0x0A, 0x0D) for b in data):
        # Text in a single-byte Western encoding: say what the byte means there.
        try:
            char = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            char = bytes([byte]).decode("latin-1")
        message += (
            f": the file looks like Latin-1 or Windows-1252 text, in which that byte is "
            f"'{shown(char)}'"
        )
    return f"{message}; {_SAVE_AS_UTF8}", line
