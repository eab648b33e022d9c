"""Files that ship with the library: templates and the bundled Kent programme.

In an installed wheel they sit inside the package (``totalplace_cases/_bundled``); in a source
checkout or an editable install they are the repository's own ``templates/`` and ``cases/``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled"]

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent.parent


def bundled(*parts: str) -> Path:
    """The path of a shipped file or folder, e.g. ``bundled("templates", "case")``."""
    inside = _PACKAGE.joinpath("_bundled", *parts)
    if inside.exists():
        return inside
    return _REPO.joinpath(*parts)
