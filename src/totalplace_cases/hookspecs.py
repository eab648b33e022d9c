"""Every hook a totalplace plugin can implement, with what it receives and returns.

A plugin is a module (or object) with functions marked ``@totalplace_cases.hookimpl`` and named
after these specs. The library's own rules are plugins too (see :mod:`totalplace_cases.rules`),
registered the same way as a programme office's.

Registry hooks receive a ``register`` callback owned by the host. The plugin calls it once per
thing it adds; the host records which plugin added what and rejects a key that another plugin has
already registered (naming both), unless the call says ``replace=True``.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("totalplace_cases")

# -- registries ------------------------------------------------------------------------------


@hookspec
def totalplace_register_categories(register):
    """Add spend categories (public realm, community, individual, or your own).

    All implementations are called.

    :param register: call ``register(Category(...))`` for each category.
    :returns: nothing.
    """


@hookspec
def totalplace_register_themes(register):
    """Add themes of work (asset rationalisation, high-cost cases...).

    All implementations are called.

    :param register: call ``register(Theme(...))`` for each theme.
    :returns: nothing.
    """


@hookspec
def totalplace_register_agencies(register):
    """Add public bodies that programmes may refer to without listing them themselves.

    All implementations are called. An agency a programme file defines takes precedence.

    :param register: call ``register(Agency(...))`` for each agency.
    :returns: nothing.
    """


@hookspec
def totalplace_register_unit_costs(register):
    """Add unit costs that benefit lines can cite as ``unit_cost = "prefix:CODE"``.

    All implementations are called.

    :param register: call ``register(UnitCost(...))`` for each unit cost.
    :returns: nothing.
    """


@hookspec
def totalplace_register_tables(register):
    """Add parameter tables: discount schedules, optimism-bias and confidence-grade tables,
    deflator series, value-for-money thresholds.

    All implementations are called. To replace a table another plugin registered, call
    ``register(table, replace=True)``.

    :param register: call ``register(ParameterTable(...))`` for each table.
    :returns: nothing.
    """


# -- calculation rules -----------------------------------------------------------------------


@hookspec
def totalplace_line_defaults(line, context):
    """Default adjustments for a cost or benefit line that does not give its own.

    Use it for a category's or an agency's rules: check ``context.case.category`` or
    ``line.agency`` and return None when the line is not your business. A value the line
    gives itself always wins over a default.

    All implementations are called; for each field, the first plugin (in call order) that
    supplies it wins.

    :param line: a :class:`~totalplace_cases.models.CostLine` or
        :class:`~totalplace_cases.models.BenefitLine`.
    :param context: the :class:`~totalplace_cases.method.context.CaseContext` (case,
        programme, price base, registered tables and unit costs).
    :returns: None, or a mapping of field to value. Cost lines: ``optimism_bias`` (a
        fraction), or ``confidence`` (a grade 1-6), or ``project_type`` / ``project_types``
        (type -> share) with ``mitigation``. Benefit lines: any of ``deadweight``,
        ``displacement``, ``attribution``, ``drop_off``, ``optimism_bias`` (fractions) or
        ``confidence``.
    """


@hookspec(firstresult=True)
def totalplace_value_benefit(line, context):
    """The gross value of a benefit line by year, before adjustments.

    Stops at the first non-None result. The built-in rule (tried last) values ``amounts``,
    ``volumes`` with ``unit_value``, and ``volumes`` with a registered ``unit_cost``.

    :param line: the :class:`~totalplace_cases.models.BenefitLine`.
    :param context: the :class:`~totalplace_cases.method.context.CaseContext`; use
        ``context.to_price_base(amount, year)`` to convert prices and
        ``context.unit_cost(key)`` to look up a unit cost.
    :returns: None when the line is not this rule's business, else a
        :class:`~totalplace_cases.method.valuation.Valuation` (values in real terms at
        ``context.price_base``, optionally split among agencies).
    """
