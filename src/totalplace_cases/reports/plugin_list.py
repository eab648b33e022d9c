"""What ``totalplace plugins`` prints: every plugin, where it came from and what it added."""

from __future__ import annotations

import json

from ..plugins import Rules
from .tables import render_rows

__all__ = ["plugin_report"]


def _registered(rules: Rules, name: str) -> dict[str, list[str]]:
    return rules.registry.by_plugin(name)


def _summary(registered: dict[str, list[str]]) -> str:
    parts = []
    for kind, keys in sorted(registered.items()):
        shown = ", ".join(keys[:4]) + (f" (+{len(keys) - 4} more)" if len(keys) > 4 else "")
        parts.append(f"{kind}: {shown}")
    return "\n".join(parts) or "-"


def plugin_report(rules: Rules, fmt: str = "table") -> str:
    """A table (or JSON) of loaded plugins and of the ones that failed to load."""
    loaded = [
        {
            "name": info.name,
            "version": info.version,
            "origin": info.origin,
            "hooks": list(info.hooks),
            "registered": _registered(rules, info.name),
        }
        for info in rules.infos.values()
    ]
    failed = [
        {"name": f.plugin, "origin": f.origin, "hook": f.hook, "error": f.message}
        for f in rules.failures
    ]
    if fmt == "json":
        return json.dumps({"plugins": loaded, "failures": failed}, indent=2) + "\n"
    rows = [
        [
            p["name"],
            p["version"] or "-",
            p["origin"],
            "\n".join(p["hooks"]),
            _summary(p["registered"]),
        ]
        for p in loaded
    ]
    text = render_rows(rows, ["Plugin", "Version", "From", "Hooks", "Registered"])
    if failed:
        text += "\n\nFailed to load:\n" + "\n".join(
            f"  {f['name']} ({f['origin']})"
            + (f" in {f['hook']}" if f["hook"] else "")
            + f": {f['error']}"
            for f in failed
        )
    return text + "\n"
