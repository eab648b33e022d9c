"""Built-in plugin: the library's own output formats (table, markdown, json).

Written as any plugin is, against :mod:`totalplace_cases.plugin`.
"""

from __future__ import annotations

from ..plugin import OutputFormat, hookimpl
from ..reports.formats import render_markdown, render_table
from ..reports.json import render_json


@hookimpl
def totalplace_register_formats(register):
    register(OutputFormat("table", render_table, "readable tables for a terminal", ".txt"))
    register(OutputFormat("markdown", render_markdown, "the tables as Markdown", ".md"))
    register(OutputFormat("json", render_json, "the JSON contract for other programs", ".json"))
