"""Built-in plugin: a cuts scenario's cut shared in proportion to spend (method §20).

Registered last, so that a programme's own rule for sharing a cut (``totalplace_share_cut``)
is asked first; this one weighs every unprotected line by its spend.
"""

from __future__ import annotations

from ..method.cuts import proportional_weights
from ..plugin import hookimpl


@hookimpl(trylast=True)
def totalplace_share_cut(scenario, lines, cut, programme):
    return proportional_weights(lines)
