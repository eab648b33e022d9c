"""Built-in plugin: the library's own output formats (table, markdown, json)."""

from __future__ import annotations

from ..pluginmarker import hookimpl
from ..reports.formats import OutputFormat, render_json, render_markdown, render_table


@hookimpl
def totalplace_register_formats(register):
    register(OutputFormat("table", render_table, "readable tables for a terminal", ".txt"))
    register(OutputFormat("markdown", render_markdown, "the tables as Markdown", ".md"))
    register(OutputFormat("json", render_json, "the JSON contract for other programs", ".json"))
