"""A progress bar on standard error for long computations (a Monte Carlo run of many draws).

It is shown only where someone is watching and only when it helps: when standard error is a
terminal, and once the run has taken a second (tqdm's ``delay``), so short runs and output
piped to a file or another program carry no bar. Without tqdm (the ``analysis`` extra) there is
no bar, and nothing else changes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["DELAY", "progress_bar"]

#: Seconds a run must have taken before the bar appears.
DELAY = 1.0


@contextmanager
def progress_bar(
    total: int, description: str, *, stream: TextIO | None = None, delay: float = DELAY
) -> Iterator[Callable[[int], object] | None]:
    """A callable to report progress with (``update(n)``: ``n`` more done), or None when no bar
    is shown. The bar is cleared when the block ends."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        yield None
        return
    try:
        from tqdm import tqdm
    except ImportError:
        yield None
        return
    with tqdm(
        total=total, desc=description, unit="draw", unit_scale=True, delay=delay, file=stream,
        leave=False, dynamic_ncols=True,
    ) as bar:  # fmt: skip
        yield bar.update
