"""Every hook a totalplace plugin can implement, with what it receives and returns.

A plugin is a module (or object) with functions marked ``@totalplace_cases.plugin.hookimpl`` and
named after these specs; every class the hooks below receive or return is exported by
:mod:`totalplace_cases.plugin`, and the host checks each answer against what its spec says
(:mod:`totalplace_cases.answers`). The library's own rules are plugins too (see
:mod:`totalplace_cases.rules`), registered the same way as a programme office's.

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

    :param line: a :class:`~totalplace_cases.plugin.CostLine` or
        :class:`~totalplace_cases.plugin.BenefitLine`.
    :param context: the :class:`~totalplace_cases.plugin.CaseContext` (case,
        programme, price base, registered tables and unit costs).
    :returns: None, or a mapping of field to value. Cost lines: ``optimism_bias`` (an
        uplift, 0 or more), or ``confidence`` (a grade 1-6), or ``project_type`` /
        ``project_types`` (type -> share, a bound for the line's kind of cost) with
        ``mitigation``. Benefit lines: any of ``deadweight``, ``displacement``,
        ``attribution``, ``drop_off``, ``optimism_bias`` (fractions), ``confidence``, or
        ``discount_schedule`` (the line's own schedule, e.g. the health rate). A transfer line
        takes no ``deadweight``, ``displacement`` or ``attribution`` from a default.
    """


@hookspec(firstresult=True)
def totalplace_value_benefit(line, context):
    """The gross value of a benefit line by year, before adjustments.

    Stops at the first non-None result. The built-in rule (tried last) values ``amounts``,
    ``volumes`` with ``unit_value``, and ``volumes`` with a registered ``unit_cost``.

    :param line: the :class:`~totalplace_cases.plugin.BenefitLine`.
    :param context: the :class:`~totalplace_cases.plugin.CaseContext`; use
        ``context.to_price_base(amount, year)`` to convert prices and
        ``context.unit_cost(key)`` to look up a unit cost.
    :returns: None when the line is not this rule's business, else a
        :class:`~totalplace_cases.plugin.Valuation` (values in real terms at
        ``context.price_base``, optionally split among agencies).
    """


@hookspec(firstresult=True)
def totalplace_agency_for(label, line, context):
    """Which programme agency stands for an outside body's label.

    Unit-cost tables name bodies in their own words ("NHS", "Police", "Local Authority"); a
    split unit cost needs each share given to an agency of the programme. A benefit line's own
    ``agency_map`` wins; otherwise the first plugin to answer decides.

    Stops at the first non-None result (``firstresult``).

    :param label: the body as the unit cost names it, e.g. ``"Criminal Justice System"``.
    :param line: the :class:`~totalplace_cases.plugin.BenefitLine` being split.
    :param context: the :class:`~totalplace_cases.plugin.CaseContext`.
    :returns: an agency id, or None to let another plugin answer.
    """


# -- the count -------------------------------------------------------------------------------


@hookspec(firstresult=True)
def totalplace_classify_spend(line, programme):
    """The category and theme of a line of the count that does not give both itself.

    Agencies send their spend in their own coding (CIPFA service lines, police objective
    codes); a rule maps such a line to the programme's categories and themes. The line's own
    category or theme, where it gives one, wins over the answer. A line that no rule classifies
    is counted as ``unclassified`` and listed.

    Stops at the first non-None result (``firstresult``).

    :param line: the :class:`~totalplace_cases.plugin.SpendLine`, with its ``agency``,
        ``service``, ``description``, ``source`` and other columns (``fields``); its
        ``category`` and ``theme`` are empty where the file gave none.
    :param programme: the :class:`~totalplace_cases.plugin.Programme` being counted.
    :returns: None when the line is not this rule's business, else a mapping with
        ``category`` (a registered category) and/or ``theme``.
    """


@hookspec(firstresult=True)
def totalplace_share_cut(scenario, lines, cut, programme):
    """How a cuts scenario's cut is shared among the unprotected lines of the count.

    By default (the built-in rule, tried last) each line bears the cut in proportion to its
    spend, and a line of net income bears none. A rule may weigh lines otherwise: front-line
    services at half weight, say, or capital before revenue. Protected lines are never given
    to the hook, so no rule can cut them. The library shares the cut in proportion to the
    weights, in whole pence, so that the parts add up to the cut exactly (method §20); a
    sharing that cuts a line by more than its spend is refused, naming the plugin.

    Stops at the first non-None result (``firstresult``).

    :param scenario: the :class:`~totalplace_cases.plugin.CutScenario` being run.
    :param lines: the unprotected lines of the baseline year, a tuple of
        :class:`~totalplace_cases.plugin.SpendCell` (``agency``, ``category``, ``theme``,
        ``kind``, ``funded_by`` and ``amount`` in pounds).
    :param cut: the cut to share, in pounds (a Decimal).
    :param programme: the :class:`~totalplace_cases.plugin.Programme` whose count it is.
    :returns: None to leave it to another rule, else a weight for each line, in the order of
        ``lines``: a list of Decimals or integers, each 0 or more, not all 0.
    """


# -- validation ------------------------------------------------------------------------------


@hookspec
def totalplace_validate_case(case, programme, rules):
    """Extra checks on a business case, run after the case file has been read.

    All implementations are called and their problems are reported together (with the
    reader's own), so one ``totalplace validate`` shows everything.

    :param case: the :class:`~totalplace_cases.plugin.BusinessCase`.
    :param programme: the :class:`~totalplace_cases.plugin.Programme` it belongs to.
    :param rules: the loaded :class:`~totalplace_cases.plugin.Rules` (registry and tables).
    :returns: None or a list of :class:`~totalplace_cases.plugin.Problem`; give ``field`` as
        a path like ``costs[0].project_type`` and the host adds the file and line.
    """


# -- reports ---------------------------------------------------------------------------------


@hookspec
def totalplace_evidence_tables(appraisal, programme):
    """Tables to add to the evidence, after the appraisal of a programme.

    All implementations are called; each table is shown after the case tables and included
    in the JSON under ``evidence_tables``.

    :param appraisal: the :class:`~totalplace_cases.plugin.Appraisal`.
    :param programme: the :class:`~totalplace_cases.plugin.Programme` appraised.
    :returns: None or a list of :class:`~totalplace_cases.plugin.EvidenceTable`.
    """


@hookspec
def totalplace_register_formats(register):
    """Add output formats for ``totalplace appraise --format NAME``.

    All implementations are called; the host rejects a format name already registered,
    unless ``register(fmt, replace=True)``.

    :param register: call ``register(OutputFormat(...))`` for each format.
    :returns: nothing.
    """
