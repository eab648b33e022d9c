"""Errors a user can act on: each names where the problem is and what was expected.

A user mistake (a bad case file, an unknown option) is a :class:`TotalPlaceError`; the CLI
prints its message and exits with code 2, without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import attrs

__all__ = ["AppraisalError", "InputError", "PluginError", "Problem", "TotalPlaceError"]


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (file, line, field path) and what.

    A ``"warning"`` is something to look at that does not stop the appraisal (a transfer line
    given a deadweight, say); an ``"error"`` stops it.
    """

    message: str
    file: Path | str | None = None
    line: int | None = None
    field: str | None = None
    severity: str = attrs.field(
        default="error", validator=attrs.validators.in_(("error", "warning")), kw_only=True
    )
    #: The exception behind the problem, if one was raised (a plugin's, say): kept so that
    #: ``--debug`` can show where it came from. Not part of the problem's value.
    cause: BaseException | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"

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


class AppraisalError(TotalPlaceError):
    """A figure of a case cannot be computed from its lines (the appraisal stops).

    Names the case and, where known, the field of the case file that caused it
    (``benefits[2].unit_cost``), so that ``validate``, which runs the same arithmetic first,
    reports it against its file and line.
    """

    def __init__(self, message: str, *, case: str | None = None, field: str | None = None):
        self.detail = message
        self.case = case
        self.field = field
        where = ", ".join(part for part in (f"case '{case}'" if case else "", field or "") if part)
        super().__init__(f"{where}: {message}" if where else message)
