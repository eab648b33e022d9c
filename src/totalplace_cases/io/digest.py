"""SHA-256 digests of the inputs a return was made from, so that a reader can tell whether two
returns come from the same data.

Each input is named relative to the programme folder (so that two copies of the same
programme, in different places, give the same names) and digested byte for byte. The combined
digest is the SHA-256 of one line per input, ``<sha256>  <name>\\n`` (the layout of
``sha256sum``), sorted by name: a reader can recompute it with ``sha256sum`` and ``sort``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Programme

__all__ = ["combined_sha256", "file_sha256", "input_files", "input_name"]


def input_files(programme: Programme) -> list[Path]:
    """Every file the figures are read from: ``programme.toml``, the case files and the spend
    files of the count."""
    files = [Path(programme.source)] if programme.source is not None else []
    files += [Path(c.source) for c in programme.cases if c.source is not None]
    files += [Path(f) for f in programme.baseline]
    return list(dict.fromkeys(files))


def file_sha256(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_name(path: Path | str, folder: Path | str | None) -> str:
    """``path`` relative to ``folder`` with forward slashes; the absolute path if outside it."""
    path = Path(path).resolve()
    if folder is not None:
        try:
            return path.relative_to(Path(folder).resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def combined_sha256(inputs: Iterable[tuple[str, str]]) -> str:
    """One SHA-256 over ``(name, sha256)`` pairs: of ``"<sha256>  <name>\\n"`` lines sorted by
    name, as ``sha256sum`` would list them."""
    lines = "".join(f"{sha}  {name}\n" for name, sha in sorted(inputs))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()
