"""What a register held as at a moment, as one SHA-256: the input digest of an evidence return.

Every entry (superseded ones too) and every baseline with its plan recorded by the moment, in
the order recorded, written as canonical JSON (sorted keys, no spaces) and digested. The
register is append-only, so the same register as at the same moment always gives the same
digest; certified returns (the ``returns`` table) are not part of it, so certifying a return
does not change the digest of the data it was made from.
"""

from __future__ import annotations

import hashlib
import json

import attrs

from .store import Register

__all__ = ["register_digest"]


def register_digest(register: Register, as_at: str) -> str:
    """The SHA-256 of the register's entries and baselines recorded by ``as_at``."""
    content = {
        "entries": [attrs.asdict(entry) for entry in register.entries(as_at=as_at)],
        "baselines": [
            {**attrs.asdict(b), "green": str(b.green), "amber": str(b.amber)}
            for b in register.baselines(as_at=as_at)
        ],
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
