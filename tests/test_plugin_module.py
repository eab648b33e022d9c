"""``totalplace_cases.plugin``: one public module for everything a plugin gives and takes.

Every class a hook spec names resolves in it, and the classes' older homes still export the very
same objects, so plugins written against either keep working.
"""

from __future__ import annotations

import inspect
import re

import pytest

from totalplace_cases import hookspecs, plugin


def test_every_exported_name_resolves():
    for name in plugin.__all__:
        assert getattr(plugin, name) is not None, name


def test_every_class_a_hook_spec_names_is_exported():
    named = set()
    for _, spec in inspect.getmembers(hookspecs, inspect.isfunction):
        named |= set(re.findall(r":class:`~?totalplace_cases\.([\w.]+)`", spec.__doc__ or ""))
    assert named, "the hook specs name no classes"
    for reference in sorted(named):
        module, _, name = reference.rpartition(".")
        assert module == "plugin", f"hookspecs names {reference}, not totalplace_cases.plugin.X"
        assert name in plugin.__all__, name


@pytest.mark.parametrize(
    ("old_home", "name"),
    [
        ("totalplace_cases.registry", "UnitCost"),
        ("totalplace_cases.method.valuation", "Valuation"),
        ("totalplace_cases.reports.evidence", "EvidenceTable"),
        ("totalplace_cases.reports.formats", "OutputFormat"),
        ("totalplace_cases.method.context", "CaseContext"),
        ("totalplace_cases.method.results", "Appraisal"),
        ("totalplace_cases.plugins", "Rules"),
        ("totalplace_cases.parameters", "ParameterTable"),
        ("totalplace_cases.errors", "Problem"),
        ("totalplace_cases", "hookimpl"),
        ("totalplace_cases", "Category"),
    ],
)
def test_the_older_homes_export_the_same_objects(old_home, name):
    import importlib

    assert getattr(importlib.import_module(old_home), name) is getattr(plugin, name)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchThing"):
        plugin.NoSuchThing  # noqa: B018
