"""Errors a user can act on: each names where the problem is and what was expected.

A user mistake (a bad case file, an unknown option) is a :class:`TotalPlaceError`; the CLI
prints its message and exits with code 2, without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import attrs

__all__ = ["InputError", "PluginError", "Problem", "TotalPlaceError"]


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (file, line, field path) and what."""

    message: str
    file: Path | str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class TotalPlaceError(Exception):
    """Base class of the errors a user can fix; the CLI shows them without a traceback."""


class InputError(TotalPlaceError):
    """One or more problems found in the input; all of them are reported at once."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class PluginError(TotalPlaceError):
    """A plugin failed to load, or raised inside a hook; names the plugin and the hook."""

    def __init__(self, plugin: str, hook: str | None, message: str):
        self.plugin = plugin
        self.hook = hook
        self.detail = message
        where = f"plugin '{plugin}'" + (f" in hook {hook}" if hook else "")
        super().__init__(f"{where}: {message}")
