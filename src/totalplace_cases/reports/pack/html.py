"""The evidence pack as one self-contained HTML page, rendered from Jinja2 templates.

The templates are ``templates/evidence/`` (shipped in the wheel); a programme may name a
folder of its own whose templates are found first, and may extend the shipped ones as
``totalplace/pack.html.j2``. Jinja2 (imported here only) escapes everything given to a
template (autoescape), after writing out the control characters in it (which HTML does not
allow in text, even as character references), and refuses a name it does not know
(StrictUndefined); a template that fails names its file and line. Charts are embedded as
``data:`` URIs of SVG images, so the page fetches nothing and runs no script.
"""

from __future__ import annotations

import base64
import re
import traceback
from decimal import Decimal
from pathlib import Path
from typing import Any

from ...display import clean
from ...errors import TotalPlaceError
from ...resources import bundled
from .cells import format_cell
from .model import NUMERIC, Pack, Table

__all__ = ["TEMPLATE", "TemplateError", "render_html"]

TEMPLATE = "pack.html.j2"


class TemplateError(TotalPlaceError):
    """A template of the HTML pack that cannot be read or rendered: which one, which line."""


def builtin_templates() -> Path:
    return bundled("templates", "evidence")


def _environment(folder: Path | None):
    import jinja2

    builtin = jinja2.FileSystemLoader(str(builtin_templates()))
    loaders: list[Any] = []
    if folder is not None:
        if not Path(folder).is_dir():
            raise TemplateError(f"the evidence template folder {folder} does not exist")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders += [jinja2.PrefixLoader({"totalplace": builtin}), builtin]
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=_visible,
    )


def _visible(value: Any) -> Any:
    """What a template writes, with its control characters written out (line breaks and tabs
    kept): run on every ``{{ ... }}`` before it is escaped, so a programme's own template
    gets it too."""
    if not isinstance(value, str):
        return value
    shown = clean(value)
    # Markup (a macro's output, already escaped) stays Markup: writing out a control
    # character adds no markup.
    return value.__class__(shown) if shown != value else value


def _cell(value: Any, kind: str, total: bool = False) -> dict[str, str]:
    """A cell formatted, with its classes; a total row leaves a figure it has not blank."""
    if total and value is None:
        return {"text": "", "classes": "num" if kind in NUMERIC else ""}
    classes = []
    if kind in NUMERIC:
        classes.append("num")
        if kind == "money" and value is not None and Decimal(value) < 0:
            classes.append("neg")
    return {"text": format_cell(value, kind), "classes": " ".join(classes)}


def _table(table: Table) -> dict[str, Any]:
    total = table.total
    return {
        "key": table.key,
        "title": table.title,
        "plugin": table.plugin,
        "columns": [{"title": c.title, "numeric": c.kind in NUMERIC} for c in table.columns],
        "rows": [
            {
                "cells": [_cell(v, c.kind) for c, v in zip(table.columns, row.cells, strict=True)],
                "classes": " ".join(
                    name
                    for name, on in (("sub", row.level > 0), ("not-counted", not row.counted))
                    if on
                ),
            }
            for row in table.rows
        ],
        "total": None
        if total is None
        else [_cell(v, c.kind, total=True) for c, v in zip(table.columns, total, strict=True)],
        "notes": list(table.notes),
    }


_SIZE = re.compile(rb'<svg[^>]*?width="([0-9.]+)pt"[^>]*?height="([0-9.]+)pt"', re.S)


def _chart(chart, svg: bytes) -> dict[str, Any]:
    found = _SIZE.search(svg[:2000])
    width, height = (float(found.group(1)), float(found.group(2))) if found else (540.0, 245.0)
    return {
        "key": chart.key,
        "title": chart.title,
        "description": chart.description,
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
        "width": round(width * 4 / 3),
        "height": round(height * 4 / 3),
    }


def context(pack: Pack, charts: dict[str, bytes]) -> dict[str, Any]:
    """What the templates are given: plain values, each figure already formatted."""
    made = pack.made
    return {
        "pack": {
            "title": pack.title,
            "made": {
                "as_at": made.as_at,
                "library_version": made.library_version,
                "inputs_sha256": made.inputs_sha256,
            },
            "sections": [
                {
                    "number": s.number,
                    "key": s.key,
                    "title": s.title,
                    "intro": s.intro,
                    "tables": [_table(t) for t in s.tables],
                    "charts": [_chart(c, charts[c.key]) for c in s.charts if c.key in charts],
                }
                for s in pack.sections
            ],
        }
    }


def render_html(pack: Pack, *, templates: Path | None = None, charts: bool = True) -> bytes:
    """The pack as HTML bytes; ``templates`` is a programme's own template folder.

    :raises TemplateError: naming the template and line of a template that fails.
    """
    drawn: dict[str, bytes] = {}
    if charts and pack.charts:
        from .charts import chart_svg

        drawn = {chart.key: chart_svg(chart) for chart in pack.charts}
    import jinja2

    environment = _environment(templates)
    try:
        template = environment.get_template(TEMPLATE)
        text = template.render(context(pack, drawn))
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or "?"
        raise TemplateError(f"template {where}, line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}") from None
    except Exception as exc:  # an error while rendering: name the template line it came from
        raise TemplateError(f"template {_template_line(exc)}: {exc}") from None
    return text.encode("utf-8")


def _template_line(exc: BaseException) -> str:
    """``file, line N`` of the innermost template frame of ``exc``'s traceback (Jinja2 maps
    its frames to template files and lines)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2") or "/templates/" in frame.filename:
            return f"{frame.filename}, line {frame.lineno}"
    return "(line unknown)"
