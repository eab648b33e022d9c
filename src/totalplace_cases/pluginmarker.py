"""The ``hookimpl`` marker plugins use: ``from totalplace_cases import hookimpl``."""

import pluggy

hookimpl = pluggy.HookimplMarker("totalplace_cases")

__all__ = ["hookimpl"]
