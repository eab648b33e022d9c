"""Writing files whole or not at all, with the user's permissions, never over what they meant
to keep.

Output is written to a temporary file beside the target and moved into place, so a reader
never sees half a file and a failure leaves the old file untouched. The new file gets the
permissions the user's umask gives (the temporary file is created with mode 0666 and the
kernel applies the umask, as for any file a program creates); a file it replaces keeps its
mode. A symbolic link at the destination is refused rather than replaced by a file, and
``replace=False`` creates the file only if nothing is there (atomically: a file that appears in
the meantime is not overwritten).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from ..display import shown
from ..errors import TotalPlaceError

__all__ = ["OutputError", "check_destination", "write_bytes", "write_text"]


class OutputError(TotalPlaceError):
    """A file the command was asked to write that it must not, or cannot, write."""


def check_destination(
    path: Path | str, *, replace: bool = False, inputs: Iterable[Path | str] = ()
) -> None:
    """Refuse to write ``path`` if that would lose something; say what and why.

    :param replace: an existing regular file may be replaced (``--force``).
    :param inputs: the files (or plugin folders) this run read: never overwritten, even with
        ``replace``, so that a mistyped ``-o`` cannot destroy a case file.
    :raises OutputError: for a symbolic link, a folder or other non-file, an existing file
        without ``replace``, one of ``inputs``, or a folder that does not exist.
    """
    path = Path(path)
    name = shown(str(path), 200)
    if path.is_symlink():
        target = shown(os.readlink(path), 200)
        raise OutputError(
            f"{name} is a symbolic link (to {target}); write to the file it points to, or "
            "remove the link"
        )
    if path.exists():
        if path.is_dir():
            raise OutputError(f"{name} is a folder; give a file name")
        if not path.is_file():
            raise OutputError(f"{name} exists and is not a regular file")
        for source in inputs:
            if _is_within(path, Path(source)):
                inside = "" if Path(source).is_file() else f" (in {shown(str(source), 200)})"
                raise OutputError(
                    f"{name} is one of this run's inputs{inside}; write the output to another "
                    "file (it is left as it was)"
                )
        if not replace:
            raise OutputError(f"{name} already exists; pass --force to replace it")
    elif not path.parent.is_dir():
        raise OutputError(
            f"cannot write {name}: the folder {shown(str(path.parent), 200)} does not exist"
        )


def _is_within(path: Path, source: Path) -> bool:
    """Whether ``path`` is the file ``source``, or a file inside the folder ``source``."""
    try:
        if source.is_dir():
            return path.resolve().is_relative_to(source.resolve())
        return source.exists() and os.path.samefile(path, source)
    except (OSError, ValueError):
        return False


def write_bytes(path: Path | str, data: bytes, *, replace: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see the module's description).

    :param replace: replace an existing file (keeping its mode); if False, an existing file
        is an :class:`OutputError` and is left as it was.
    """
    path = Path(path)
    if path.is_symlink():
        raise OutputError(f"{shown(str(path), 200)} is a symbolic link; not replaced")
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = stat.S_IMODE(os.lstat(path).st_mode)
    if mode is not None and not replace:
        raise OutputError(f"{shown(str(path), 200)} already exists")
    # Beside the target (the same file system, so the move is atomic); a leading dot keeps it
    # out of a programme folder's case files while it exists.
    tmp = path.parent / f".{path.name[:150]}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
        _sync_folder(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _link_new(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the name ``path`` only if no file has it (a hard link cannot overwrite)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputError(f"{shown(str(path), 200)} already exists") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links: check, then move (a small window, no better way).
        if path.exists() or path.is_symlink():
            raise OutputError(f"{shown(str(path), 200)} already exists") from None
        os.replace(tmp, path)


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text(path: Path | str, text: str, *, replace: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`write_bytes`."""
    write_bytes(path, text.encode("utf-8"), replace=replace)
