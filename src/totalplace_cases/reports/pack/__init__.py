"""The evidence pack: a programme's return to central government, in every format from one
set of tables.

- :mod:`.model`: what a pack holds (sections, tables with typed columns and control totals,
  charts, how it was made);
- :mod:`.sections` and :mod:`.build`: the pack built from the appraisal and the programme;
- :mod:`.cells`: how a figure is shown, and how text is made inert in each format;
- the formats, each imported only when used: :mod:`.html` (Jinja2 templates, charts from
  :mod:`.charts`), :mod:`.xlsx` (XlsxWriter), :mod:`.text_formats` (Markdown and CSV) and
  :mod:`.json_return`;
- :mod:`.diff`: every figure that differs between two JSON returns.
"""

from __future__ import annotations

from pathlib import Path

from .model import Chart, Column, Made, Pack, Row, Section, Table

__all__ = [
    "PACK_FORMATS",
    "Chart",
    "Column",
    "Made",
    "Pack",
    "Row",
    "Section",
    "Table",
    "render_pack",
]

#: The pack's own formats and the file name extension of each (CSV is a folder of files).
PACK_FORMATS: dict[str, str] = {
    "html": ".html",
    "xlsx": ".xlsx",
    "md": ".md",
    "csv": "",
    "json": ".json",
}


def render_pack(pack: Pack, fmt: str, *, templates: Path | None = None) -> bytes | dict[str, bytes]:
    """The pack in ``fmt``: the bytes of one file, or (``csv``) file name -> bytes."""
    if fmt == "html":
        from .html import render_html

        return render_html(pack, templates=templates)
    if fmt == "xlsx":
        from .xlsx import render_xlsx

        return render_xlsx(pack)
    if fmt == "md":
        from .text_formats import render_markdown

        return render_markdown(pack)
    if fmt == "csv":
        from .text_formats import csv_files

        return csv_files(pack)
    if fmt == "json":
        from .json_return import render_json_return

        return render_json_return(pack)
    raise ValueError(f"unknown pack format {fmt!r}")
