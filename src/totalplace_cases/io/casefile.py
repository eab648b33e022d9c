"""Reading programmes and business cases from TOML files, with every problem reported at once.

A programme is a folder holding ``programme.toml`` and one ``.toml`` file per business case. A
single case file can also be read on its own: it then takes the settings of a ``programme.toml``
beside it if there is one, else the defaults. Files are parsed with :mod:`tomllib`, never
executed. The field names are a contract documented in ``docs/case-files.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ..display import shown
from ..errors import InputError, Problem
from ..method.conventions import discount_base_of
from ..models import (
    AGENCY_KINDS,
    AGENCY_MAP_UNUSED,
    AMOUNTS_AND_VOLUMES,
    BENEFIT_OB_ONE_WAY,
    CASHABLE_NOT_FISCAL,
    COHORT_UNVALUED,
    COST_KINDS,
    FREQUENCIES,
    LINE_ID_TWICE,
    MAX_COHORT_YEARS,
    MAX_YEARS,
    MITIGATION_UNTYPED,
    OB_ONE_WAY,
    PRICES,
    REALIGNMENT_ONE_BODY,
    STATUSES,
    TIMINGS,
    TRANSFER_NOT_FISCAL,
    UNIT_TWO_WAYS,
    VALUE_TYPES,
    Agency,
    BenefitLine,
    BusinessCase,
    CaseOption,
    Cohort,
    CostLine,
    Programme,
    Realignment,
    Reduces,
    Settings,
    Tolerances,
    cost_amount,
    transfer_amount,
    volume,
)
from ..money import parse_fraction, parse_money, parse_number, parse_uplift
from ..periods import LAST_START_YEAR, FinancialYear
from ..textfile import read_text
from .cuts import read_cut_scenarios
from .fields import (
    Fields,
    check_id,
    describe,
    expect_bool,
    expect_choice,
    expect_date,
    expect_id,
    expect_int,
    expect_path_list,
    expect_str,
    expect_str_list,
    expect_text_value,
    expect_year,
)
from .fivecase import FIVE_CASE_KEYS, read_five_case
from .ranges import read_scenarios, read_uncertainty
from .toml_lines import MAX_DEPTH, FieldLines

__all__ = [
    "PROGRAMME_FILE",
    "ProgrammeRead",
    "load_path",
    "read_case",
    "read_programme",
    "read_toml",
]

PROGRAMME_FILE = "programme.toml"

PROGRAMME_KEYS = (
    "programme",
    "settings",
    "agencies",
    "tolerances",
    "evidence",
    "scenarios",
    "sensitivities",
)
#: The keys of [evidence] in programme.toml: how the evidence pack is made.
EVIDENCE_KEYS = ("templates",)
PROGRAMME_TABLE_KEYS = (
    "id",
    "name",
    "place",
    "population",
    "price_base",
    "discount_base",
    "plugins",
    "description",
    "register",
    "baseline",
)
TOLERANCE_KEYS = ("green", "amber")
#: The spend files ``baseline`` may name (see io/spend.py).
SPEND_FILE_SUFFIXES = (".csv", ".xlsx")
SETTINGS_KEYS = (
    "schedule",
    "timing",
    "confidence_table",
    "optimism_bias_table",
    "vfm_table",
    "deflator",
    "deflator_projection",
)
AGENCY_KEYS = ("id", "name", "kind", "parent")
CASE_KEYS = (
    "id",
    "title",
    "category",
    "theme",
    "sponsor",
    "status",
    "start",
    "years",
    "price_base",
    "discount_base",
    "discount_schedule",
    "timing",
    "notes",
    "costs",
    "benefits",
    "realignments",
    "options",
    "business_as_usual",
    "preferred",
    "preferred_reason",
    *FIVE_CASE_KEYS,
)
#: The fields of one ``[[options]]`` table: an option of the case, with its own lines.
OPTION_KEYS = ("id", "title", "description", "costs", "benefits", "realignments")
COST_KEYS = (
    "id",
    "description",
    "agency",
    "kind",
    "amounts",
    "optimism_bias",
    "confidence",
    "project_type",
    "project_types",
    "mitigation",
    "prices",
    "price_base",
    "uncertainty",
)
BENEFIT_KEYS = (
    "id",
    "description",
    "agency",
    "value_type",
    "cashable",
    "amounts",
    "volumes",
    "unit_value",
    "unit_cost",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "optimism_bias",
    "confidence",
    "prices",
    "price_base",
    "agency_map",
    "owner",
    "measure",
    "baseline_value",
    "baseline_date",
    "baseline_source",
    "frequency",
    "reduces",
    "transfer",
    "discount_schedule",
    "cohort",
    "uncertainty",
)
#: The fields of a benefit line's ``cohort = { ... }`` (method §19).
COHORT_KEYS = ("participants", "engagement", "success", "lag", "persistence")
REDUCES_KEYS = ("agency", "category", "theme")
REALIGNMENT_KEYS = ("from", "to", "kind", "amounts", "description")
_LINE_RE = re.compile(r"at line (\d+)")


def _confidence(value: Any) -> int:
    return expect_int(value, 1, 6)


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The data and text of a TOML file, read the one way every TOML input is read.

    :raises InputError: with one problem naming the file (and line) when it cannot be read
        (see :func:`~totalplace_cases.textfile.read_text`), has a key too deep to parse in
        reasonable time, is nested too deeply, or is not valid TOML.
    """
    text = read_text(path)
    if any(line.count(".") > MAX_DEPTH for line in text.splitlines()):
        depth, line = FieldLines(text).deepest
        if depth > MAX_DEPTH:
            raise InputError(
                [
                    Problem(
                        f"a key with {depth:,} dotted parts (or tables nested that deep); keys "
                        f"have at most {MAX_DEPTH}",
                        file=path,
                        line=line,
                    )
                ]
            )
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = _LINE_RE.search(str(exc))
        line = int(match.group(1)) if match else None
        raise InputError([Problem(f"not valid TOML: {exc}", file=path, line=line)]) from None
    except RecursionError:
        raise InputError(
            [
                Problem(
                    "arrays or tables are nested too deeply to read (case files nest a few levels)",
                    file=path,
                )
            ]
        ) from None


def _parse_toml(path: Path, problems: list[Problem]) -> tuple[dict[str, Any], str] | None:
    try:
        return read_toml(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _open(
    path: Path, problems: list[Problem], allowed: tuple[str, ...]
) -> tuple[dict[str, Any], Fields] | None:
    """Parse a file and check its top-level fields; None if it is not valid TOML."""
    parsed = _parse_toml(path, problems)
    if parsed is None:
        return None
    data, text = parsed
    f = Fields(path, text, problems)
    f.check_keys(data, (), allowed)
    return data, f


def read_programme(
    path: Path, problems: list[Problem]
) -> tuple[Programme, dict[str, tuple[tuple, Any]]] | None:
    """Read ``programme.toml`` (without its cases)."""
    opened = _open(path, problems, PROGRAMME_KEYS)
    if opened is None:
        return None
    data, f = opened
    head = f.get_table(data, (), "programme")
    if head is None:
        f.problem((), 'missing the [programme] table (with at least id = "...")')
        head = {}
    p = ("programme",)
    f.check_keys(head, p, PROGRAMME_TABLE_KEYS)
    plugin_paths = f.get(head, p, "plugins", expect_path_list, default=[]) or []
    baseline = _baseline_files(f, head, p, path.parent)
    projection = None
    settings = Settings()
    table = f.get_table(data, (), "settings")
    if table is not None:
        s = ("settings",)
        f.check_keys(table, s, SETTINGS_KEYS)
        projection = f.get(table, s, "deflator_projection", parse_fraction)
        settings = Settings(
            schedule=f.get(table, s, "schedule", expect_id, default=settings.schedule),
            timing=f.get(table, s, "timing", expect_choice(TIMINGS), default=settings.timing),
            confidence_table=f.get(
                table, s, "confidence_table", expect_id, default=settings.confidence_table
            ),
            optimism_bias_table=f.get(
                table, s, "optimism_bias_table", expect_id, default=settings.optimism_bias_table
            ),
            vfm_table=f.get(table, s, "vfm_table", expect_id, default=settings.vfm_table),
            deflator=f.get(table, s, "deflator", expect_id, default=settings.deflator),
            deflator_projection=projection,
        )
    tolerances = _read_tolerances(f, data)
    templates = _evidence_templates(f, data, path.parent)
    agencies = []
    seen: dict[str, tuple[tuple, Any]] = {}
    for index, item in enumerate(f.get_tables(data, (), "agencies")):
        a = ("agencies", index)
        f.check_keys(item, a, AGENCY_KEYS)
        agency_id = f.get(item, a, "id", expect_id, required=True)
        kind = f.get(item, a, "kind", expect_choice(AGENCY_KINDS), default="other")
        parent = f.get(item, a, "parent", expect_id)
        if agency_id is None:
            continue
        if agency_id in seen:
            first = f.lines.line_of(seen[agency_id][0])
            f.problem((*a, "id"), f'agency "{agency_id}" is defined twice (first at line {first})')
            continue
        seen[agency_id] = ((*a, "id"), (*a, "parent") if parent else None)
        agencies.append(
            Agency(
                id=agency_id,
                name=f.get(item, a, "name", expect_str, default=agency_id) or agency_id,
                kind=kind or "other",
                parent=parent,
            )
        )
    known = {a.id for a in agencies}
    for agency in agencies:
        if agency.parent is not None and agency.parent not in known:
            f.problem(
                seen[agency.id][1], f'unknown agency "{agency.parent}"; define it in [[agencies]]'
            )
    for agency, loop in _parent_loops(agencies):
        f.problem(
            seen[agency.id][1],
            f"the parent chain loops back to this agency: {' -> '.join(loop)}; an agency "
            "cannot be its own parent, directly or through others",
        )
    programme = Programme(
        id=f.get(head, p, "id", expect_id, required=True, default="") or "programme",
        name=f.get(head, p, "name", expect_str, default="") or "",
        place=f.get(head, p, "place", expect_str, default="") or "",
        population=f.get(head, p, "population", lambda v: expect_int(v, 0)),
        price_base=f.get(head, p, "price_base", expect_year),
        discount_base=f.get(head, p, "discount_base", expect_year),
        description=f.get(head, p, "description", expect_str, default="") or "",
        agencies=agencies,
        settings=settings,
        plugins=[str((path.parent / entry).resolve()) for entry in plugin_paths],
        baseline=baseline,
        evidence_templates=templates,
        source=path,
        register=f.get(head, p, "register", _register_location),
        tolerances=tolerances,
        scenarios=read_cut_scenarios(f, data),
        sensitivities=read_scenarios(f, data),
    )
    return programme, seen


def _evidence_templates(f: Fields, data: Mapping, folder: Path) -> Path | None:
    """``[evidence] templates``: a folder of HTML templates, relative to programme.toml."""
    table = f.get_table(data, (), "evidence")
    if table is None:
        return None
    e = ("evidence",)
    f.check_keys(table, e, EVIDENCE_KEYS)
    entry = f.get(table, e, "templates", expect_str)
    if entry is None:
        return None
    found = folder / entry
    if not found.is_dir():
        f.problem((*e, "templates"), f'no template folder "{entry}" (looked for {found})')
        return None
    return found


@attrs.frozen
class ProgrammeRead:
    """``programme.toml`` as :func:`read_programme` read it, so that it is read only once.

    ``result`` is what :func:`read_programme` returned (None if the file could not be read as
    TOML) and ``problems`` what it found.
    """

    path: Path
    result: tuple[Programme, dict[str, tuple[int | None, Any]]] | None
    problems: tuple[Problem, ...] = ()

    @classmethod
    def of(cls, path: Path) -> ProgrammeRead:
        problems: list[Problem] = []
        result = read_programme(path, problems)
        return cls(path, result, tuple(problems))

    @property
    def programme(self) -> Programme | None:
        return self.result[0] if self.result is not None else None


def _register_location(value: Any) -> str:
    """A file or a URL, checked here so that ``validate`` names the file, line and field of
    what the register's commands would refuse (``io.register.location``)."""
    text = expect_str(value)
    if not text.strip():
        raise ValueError('expected a file (e.g. "register.db") or a postgresql:// URL, found ""')
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError(
            'expected a file (e.g. "register.db") or a postgresql:// URL, found a control '
            f'character in "{shown(text)}"'
        )
    return text


def _read_tolerances(f: Fields, data: Mapping[str, Any]) -> Tolerances:
    """``[tolerances]``: the RAG thresholds of the benefits register, as fractions of plan."""
    table = f.get_table(data, (), "tolerances")
    if table is None:
        return Tolerances()
    t = ("tolerances",)
    f.check_keys(table, t, TOLERANCE_KEYS)
    default = Tolerances()
    green = f.get(table, t, "green", parse_fraction, default=default.green)
    amber = f.get(table, t, "amber", parse_fraction, default=default.amber)
    if green is None or amber is None:
        return default
    if amber > green:
        f.problem(
            (*t, "amber"),
            f"expected an amber threshold at or below the green one ({green}), found {amber}",
        )
        return default
    return Tolerances(green=green, amber=amber)


def _baseline_files(f: Fields, head: Mapping, p: tuple, folder: Path) -> list[Path]:
    """The spend files ``baseline`` names, relative to ``programme.toml``; each must exist, and
    be named once (a file named twice would count its spend twice)."""
    entries = f.get(head, p, "baseline", expect_str_list, default=[]) or []
    files = []
    seen: dict[Path, str] = {}
    for index, entry in enumerate(entries):
        file = folder / entry
        where = (*p, "baseline", index)
        if Path(entry).suffix.lower() not in SPEND_FILE_SUFFIXES:
            f.problem(where, f'expected a .csv or .xlsx spend file, found "{entry}"')
        elif not file.is_file():
            f.problem(where, f'no such spend file "{entry}" (looked for {file})')
        elif file.resolve() in seen:
            f.problem(
                where,
                f'expected each spend file once, found "{entry}", the same file as '
                f'"{seen[file.resolve()]}" (its spend would be counted twice)',
            )
        else:
            seen[file.resolve()] = entry
            files.append(file)
    return files


def _parent_loops(agencies: list[Agency]) -> list[tuple[Agency, list[str]]]:
    """Each loop of ``parent`` links, once, with the first agency of the file that is in it."""
    parents = {a.id: a.parent for a in agencies}
    loops, reported = [], set()
    for agency in agencies:
        chain, current = [agency.id], parents.get(agency.id)
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        if current == agency.id and agency.id not in reported:
            reported.update(chain)
            loops.append((agency, [*chain, agency.id]))
    return loops


def read_case(
    path: Path,
    problems: list[Problem],
    *,
    agencies: Mapping[str, Agency] | None,
    categories: frozenset[str] | None = None,
    discount_base: FinancialYear | None = None,
) -> BusinessCase | None:
    """Read one business case file.

    :param agencies: the agencies the case may name; ``None`` accepts any (a lone case file).
    :param categories: the registered categories; ``None`` skips that check.
    :param discount_base: the programme's common discount base, if it sets one.
    """
    opened = _open(path, problems, CASE_KEYS)
    if opened is None:
        return None
    data, f = opened
    case_id = f.get(data, (), "id", expect_id, required=True)
    category = f.get(data, (), "category", expect_id, required=True)
    start = f.get(data, (), "start", expect_year, required=True)
    years = f.get(data, (), "years", lambda v: expect_int(v, 1, MAX_YEARS), required=True)
    if start is not None and years is not None and start.start_year + years - 1 > LAST_START_YEAR:
        f.problem(
            ("years",),
            f"{years} years from {start} would run past {FinancialYear(LAST_START_YEAR)}, the "
            "last financial year the tool supports",
        )
        years = None
    period = _period(start, years, data.get("years"))
    if category is not None and categories is not None and category not in categories:
        f.problem(("category",), _unknown_category(category, categories))
    case_base = f.get(data, (), "discount_base", expect_year)
    base = discount_base_of(discount_base, case_base, start) if start is not None else None
    if base is not None and start is not None and start < base:
        f.problem(
            ("discount_base",) if case_base else ("start",),
            f"the case starts in {start}, before the discount base {base}; years before the "
            "discount base cannot be appraised",
        )

    def check_agency(where: tuple, value: Any) -> str | None:
        try:
            agency_id = expect_id(value)
        except ValueError as exc:
            f.problem(where, str(exc))
            return None
        if agencies is not None and agency_id not in agencies:
            f.problem(
                where,
                f'unknown agency "{agency_id}"; the programme does not define it '
                "(add it to [[agencies]] in programme.toml, or load the plugin that "
                "registers it)",
            )
        return agency_id

    def check_category(where: tuple, value: Any) -> str | None:
        try:
            category_id = expect_id(value)
        except ValueError as exc:
            f.problem(where, str(exc))
            return None
        if categories is not None and category_id not in categories:
            f.problem(where, _unknown_category(category_id, categories))
            return None
        return category_id

    sponsor = check_agency(("sponsor",), data["sponsor"]) if "sponsor" in data else None
    lines = _read_lines(f, data, (), period, check_agency, check_category)
    options = _read_options(f, data, period, check_agency, check_category)
    # Read every field before giving up on a bad required one, so all problems are reported.
    fields = {
        "title": f.get(data, (), "title", expect_str),
        "theme": f.get(data, (), "theme", expect_str, default="") or "",
        "status": f.get(data, (), "status", expect_choice(STATUSES), default="proposed")
        or "proposed",
        "price_base": f.get(data, (), "price_base", expect_year),
        "discount_schedule": f.get(data, (), "discount_schedule", expect_id),
        "timing": f.get(data, (), "timing", expect_choice(TIMINGS)),
        "notes": f.get(data, (), "notes", expect_str, default="") or "",
        **read_five_case(f, data),
    }
    if case_id is None or category is None or start is None or years is None or options is None:
        return None
    return BusinessCase(
        id=case_id,
        category=category,
        sponsor=sponsor,
        start=start,
        years=years,
        discount_base=case_base,
        costs=lines[0],
        benefits=lines[1],
        realignments=lines[2],
        source=path,
        **options,
        **{**fields, "title": fields["title"] or case_id},
    )


def _read_lines(
    f: Fields, data: Mapping, prefix: tuple, period, check_agency, check_category
) -> tuple[list[CostLine], list[BenefitLine], list[Realignment]]:
    """The ``costs``, ``benefits`` and ``realignments`` of a case, or of one of its options
    (``prefix`` ``("options", N)``), each problem named under ``prefix``."""
    cost_items = f.get_tables(data, prefix, "costs")
    costs = [
        _read_cost(f, item, i, period, check_agency, prefix) for i, item in enumerate(cost_items)
    ]
    benefit_items = f.get_tables(data, prefix, "benefits")
    benefits = [
        _read_benefit(f, item, i, period, check_agency, check_category, prefix)
        for i, item in enumerate(benefit_items)
    ]
    # A line whose id another has taken is reported, then left out (the models refuse it).
    costs = _check_unique_ids(f, "cost", costs, cost_items, prefix)
    benefits = _check_unique_ids(f, "benefit", benefits, benefit_items, prefix)
    realignments = [
        _read_realignment(f, item, i, period, check_agency, prefix)
        for i, item in enumerate(f.get_tables(data, prefix, "realignments"))
    ]
    return (
        [c for c in costs if c is not None],
        [b for b in benefits if b is not None],
        [r for r in realignments if r is not None],
    )


def _read_options(
    f: Fields, data: Mapping, period, check_agency, check_category
) -> dict[str, Any] | None:
    """``[[options]]`` with ``business_as_usual``, ``preferred`` and ``preferred_reason``: the
    case's fields for them, or None when they cannot be read."""
    items = f.get_tables(data, (), "options")
    choices = ("business_as_usual", "preferred", "preferred_reason")
    if not items:
        if "options" in data:
            if isinstance(data["options"], list):
                f.problem(("options",), "expected one [[options]] table or more, found none")
            return None
        for key in choices:
            if key in data:
                f.problem((key,), f"{key} applies to a case with [[options]]; this case has none")
        return {}
    readable = True
    for key in ("costs", "benefits", "realignments"):
        if key in data:
            f.problem(
                (key, 0) if isinstance(data[key], list) else (key,),
                f"a case with [[options]] gives its lines in each option ([[options.{key}]]), "
                f"not as [[{key}]]: move these lines into the options (into every option, if "
                "they are common to all)",
            )
            readable = False
    options: list[CaseOption] = []
    seen: dict[str, int] = {}
    ids_known = True  # every option's id could be read
    for index, item in enumerate(items):
        o = ("options", index)
        f.check_keys(item, o, OPTION_KEYS)
        option_id = f.get(item, o, "id", expect_id, required=True)
        title = f.get(item, o, "title", expect_str)
        description = f.get(item, o, "description", expect_str, default="") or ""
        costs, benefits, realignments = _read_lines(
            f, item, o, period, check_agency, check_category
        )
        if option_id is None:
            readable = ids_known = False
            continue
        if option_id in seen:
            f.problem(
                (*o, "id"),
                f'option id "{option_id}" is used twice in this case '
                f"(also options[{seen[option_id]}])",
            )
            readable = False
            continue
        seen[option_id] = index
        options.append(
            CaseOption(
                id=option_id,
                title=title or option_id,
                description=description,
                costs=costs,
                benefits=benefits,
                realignments=realignments,
            )
        )
    found: dict[str, Any] = {"options": options}
    for key, meaning in (
        ("business_as_usual", "the option that is business as usual"),
        ("preferred", "the option the case recommends"),
    ):
        chosen = f.get(data, (), key, expect_id)
        if key not in data:
            f.problem(
                (key,),
                f'missing required field "{key}": a case with [[options]] names {meaning} '
                f'(e.g. {key} = "{next(iter(seen), "bau")}")',
            )
        elif chosen is not None and chosen not in seen and ids_known:
            f.problem(
                (key,),
                f'no option "{chosen}" in this case; its options are {", ".join(seen)}',
            )
        if chosen is None or chosen not in seen:
            readable = False
        found[key] = chosen
    found["preferred_reason"] = f.get(data, (), "preferred_reason", expect_str)
    return found if readable else None


def _unknown_category(category: str, categories: frozenset[str]) -> str:
    return (
        f'unknown category "{category}"; known categories: {", ".join(sorted(categories))} '
        "(a plugin may add more)"
    )


def _period(
    start: FinancialYear | None, years: int | None, raw_years: Any
) -> tuple[FinancialYear, FinancialYear | None] | None:
    """The appraisal period to check years against, as far as it can be known.

    A ``years`` written as a string of digits (``"10"``) is reported as a problem, but its
    number still bounds the period, so that a year outside it is reported as well.
    """
    if start is None:
        return None
    digits = raw_years.strip() if isinstance(raw_years, str) else ""
    if years is None and len(digits) <= 4 and digits.isascii() and digits.isdigit():
        years = int(digits)
    if years is None or not 1 <= years <= LAST_START_YEAR - start.start_year + 1:
        return (start, None)
    return (start, start + (years - 1))


def _check_unique_ids(
    f: Fields, kind: str, lines: list, items: list[Mapping], prefix: tuple = ()
) -> list:
    """Ids of the cost (or benefit) lines of one case (or option) must differ, given or
    default: ``lines`` without those whose id an earlier line has (each reported)."""
    seen: dict[str, int] = {}
    where = "option" if prefix else "case"
    kept = []
    for index, (line, item) in enumerate(zip(lines, items, strict=True)):
        if line is None or line.id is None:
            kept.append(line)
            continue
        first = seen.setdefault(line.id, index)
        if first == index:
            kept.append(line)
            continue
        if "id" not in item:
            f.problem(
                (*prefix, f"{kind}s", index),
                f'this line gives no id, and its default id "{line.id}" is already the id of '
                f"{kind}s[{first}]; give this line an id",
            )
        elif "id" not in items[first]:
            f.problem(
                (*prefix, f"{kind}s", index, "id"),
                f'{kind} id "{line.id}" is already the default id of {kind}s[{first}], which '
                "gives no id; give that line an id, or choose another",
            )
        else:
            f.problem(
                (*prefix, f"{kind}s", index, "id"),
                LINE_ID_TWICE.format(kind=kind, id=line.id, where=where, first=first),
            )
    return kept


def _line_fields(f: Fields, item: Mapping, path: tuple) -> dict[str, Any]:
    """The optional fields cost and benefit lines share."""
    return {
        "description": f.get(item, path, "description", expect_str, default="") or "",
        "confidence": f.get(item, path, "confidence", _confidence),
        "prices": f.get(item, path, "prices", expect_choice(PRICES), default="real") or "real",
        "price_base": f.get(item, path, "price_base", expect_year),
    }


def _read_cost(
    f: Fields, item: Mapping, index: int, period, check_agency, prefix: tuple = ()
) -> CostLine | None:
    c = (*prefix, "costs", index)
    f.check_keys(item, c, COST_KEYS)
    agency = check_agency((*c, "agency"), item["agency"]) if "agency" in item else None
    if "agency" not in item:
        f.problem((*c, "agency"), 'missing required field "agency"')
    kind = f.get(item, c, "kind", expect_choice(COST_KINDS), required=True)
    if "amounts" not in item:
        f.problem((*c, "amounts"), 'missing required field "amounts"')
    amounts = f.get_by_year(item, c, "amounts", cost_amount, period)
    ob_fields = [
        k for k in ("optimism_bias", "confidence", "project_type", "project_types") if k in item
    ]
    if len(ob_fields) > 1:
        f.problem(
            (*c, ob_fields[1]),
            OB_ONE_WAY.format(found=" and ".join(ob_fields)),
        )
    untyped = not ({"project_type", "project_types"} & set(item)) or (
        item.get("project_types") == {} and "project_type" not in item
    )
    if "mitigation" in item and untyped:
        f.problem((*c, "mitigation"), MITIGATION_UNTYPED)
    project_types: dict[str, Decimal] = {}
    if "project_type" in item:
        kind_name = f.get(item, c, "project_type", expect_id)
        if kind_name:
            project_types = {kind_name: Decimal(1)}
    if "project_types" in item:
        shares = f.get_table(item, c, "project_types") or {}
        for name, share in shares.items():
            try:
                project_types[check_id(name, "a project type")] = parse_fraction(share)
            except ValueError as exc:
                f.problem((*c, "project_types", name), str(exc))
        total = sum(project_types.values(), Decimal(0))
        if shares and len(project_types) == len(shares) and total != 1:
            f.problem((*c, "project_types"), f"expected shares adding up to 1, found {total}")
        if len(project_types) != len(shares) or total != 1:
            project_types = {}  # reported above; the line is read on for its other problems
    fields = {
        **_line_fields(f, item, c),
        "id": f.get(item, c, "id", expect_id),
        "optimism_bias": f.get(item, c, "optimism_bias", parse_uplift),
        "mitigation": f.get(item, c, "mitigation", parse_fraction),
        "uncertainty": read_uncertainty(f, item, c, "cost", {"amounts": amounts}),
    }
    if agency is None or kind is None:
        return None
    if len(ob_fields) > 1:
        # Reported above; the line is read on for its other problems, without any of them.
        fields.update(optimism_bias=None, confidence=None, mitigation=None)
        project_types = {}
    if not project_types:
        fields["mitigation"] = None  # reported above (mitigation alone, or a bad project type)
    return CostLine(
        agency=agency, kind=kind, amounts=amounts, project_types=project_types, **fields
    )


def _read_benefit(
    f: Fields, item: Mapping, index: int, period, check_agency, check_category, prefix: tuple = ()
) -> BenefitLine | None:
    b = (*prefix, "benefits", index)
    f.check_keys(item, b, BENEFIT_KEYS)
    line_id = f.get(item, b, "id", expect_id, default=f"benefit-{index + 1}")
    agency = check_agency((*b, "agency"), item["agency"]) if "agency" in item else None
    if "agency" not in item:
        f.problem((*b, "agency"), 'missing required field "agency"')
    value_type = f.get(item, b, "value_type", expect_choice(VALUE_TYPES), required=True)
    cashable = f.get(item, b, "cashable", _cashable, default=False)
    if cashable and value_type in ("economic", "social"):
        f.problem((*b, "cashable"), CASHABLE_NOT_FISCAL.format(value_type=value_type))
    transfer = f.get(item, b, "transfer", expect_bool, default=False)
    if transfer and value_type in ("economic", "social"):
        f.problem((*b, "transfer"), TRANSFER_NOT_FISCAL.format(value_type=value_type))
    has_amounts, has_volumes = "amounts" in item, "volumes" in item
    has_cohort = "cohort" in item
    has_unit = [k for k in ("unit_value", "unit_cost") if k in item]
    if has_amounts and (has_volumes or has_unit or has_cohort):
        f.problem(b, AMOUNTS_AND_VOLUMES)
    elif has_volumes and has_cohort:
        f.problem(
            (*b, "cohort"), "give volumes or a cohort, not both: the cohort makes the volumes"
        )
    elif has_unit and not (has_volumes or has_cohort):
        f.problem((*b, has_unit[0]), f'{has_unit[0]} needs "volumes" by year, or a "cohort"')
    elif has_cohort and not has_unit:
        f.problem((*b, "cohort"), COHORT_UNVALUED)
    elif not has_amounts and not has_volumes and not has_cohort:
        f.problem(b, 'missing "amounts" (values by year) or "volumes" with "unit_value"')
    if len(has_unit) > 1:
        f.problem((*b, "unit_cost"), UNIT_TWO_WAYS)
    if "optimism_bias" in item and "confidence" in item:
        f.problem((*b, "confidence"), BENEFIT_OB_ONE_WAY)
    amounts = f.get_by_year(item, b, "amounts", parse_money, period)
    volumes = f.get_by_year(item, b, "volumes", volume, period)
    cohort = _read_cohort(f, item, b, period)
    for key in ("amounts", "volumes"):
        if isinstance(item.get(key), Mapping) and not item[key]:
            # Nothing to value: the appraisal could not tell this line from one with no flows.
            f.problem((*b, key), "expected the value of at least one year, found an empty table")
    fractions = {
        key: f.get(item, b, key, parse_fraction)
        for key in ("deadweight", "displacement", "attribution", "drop_off", "optimism_bias")
    }
    agency_map: dict[str, str] = {}
    for label, target in (f.get_table(item, b, "agency_map") or {}).items():
        try:
            check_id(label, "a body's name")
        except ValueError as exc:
            f.problem((*b, "agency_map", label), str(exc))
            continue
        mapped = check_agency((*b, "agency_map", label), target)
        if mapped is not None:
            agency_map[label] = mapped
    if agency_map and "unit_cost" not in item:
        f.problem((*b, "agency_map"), AGENCY_MAP_UNUSED)
    reduces = _read_reduces(f, item, b, bool(cashable), check_agency, check_category)
    if has_cohort and cohort is None:
        return None
    fields = {
        **_line_fields(f, item, b),
        "reduces": reduces,
        "unit_value": f.get(item, b, "unit_value", parse_money),
        "unit_cost": f.get(item, b, "unit_cost", expect_id),
        **{key: f.get(item, b, key, expect_str) for key in ("owner", "measure", "baseline_source")},
        "baseline_value": f.get(item, b, "baseline_value", expect_text_value),
        "baseline_date": f.get(item, b, "baseline_date", expect_date),
        "frequency": f.get(item, b, "frequency", expect_choice(FREQUENCIES), default="annual")
        or "annual",
        "discount_schedule": f.get(item, b, "discount_schedule", expect_id),
    }
    fields["uncertainty"] = read_uncertainty(
        f,
        item,
        b,
        "benefit",
        {
            "amounts": amounts,
            "volumes": volumes,
            "unit_value": fields["unit_value"],
            "cohort": cohort,
        },
    )
    if agency is None or value_type is None or line_id is None:
        return None
    fiscal = value_type not in ("economic", "social")
    if cashable and not fiscal:
        cashable, fields["reduces"] = False, None  # reported above; read on for the others
    if "optimism_bias" in item and "confidence" in item:
        fields["confidence"] = None  # reported above
    if has_amounts and (has_volumes or has_unit or has_cohort):
        # Reported above: the line is read on by its amounts, for its other problems.
        volumes, cohort, has_cohort, agency_map = {}, None, False, {}
        fields.update(unit_value=None, unit_cost=None, uncertainty={})
    if cohort is not None and fields["unit_value"] is None and fields["unit_cost"] is None:
        cohort, fields["uncertainty"] = None, {}  # reported above (no unit, or a bad one)
    if has_unit and fields["unit_value"] is not None and fields["unit_cost"] is not None:
        fields["unit_value"], fields["uncertainty"] = None, {}  # reported above
    if fields["unit_cost"] is None:
        agency_map = {}  # reported above, or unit_cost could not be read
    return BenefitLine(
        id=line_id,
        agency=agency,
        value_type=value_type,
        cashable=cashable if cashable is not None else False,
        transfer=bool(transfer) and fiscal,
        amounts=amounts,
        volumes={} if has_cohort else volumes,
        cohort=cohort,
        agency_map=agency_map,
        **fields,
        **fractions,
    )


def _cashable(value: Any) -> bool | Decimal:
    """``true``, ``false``, or the cashable share of the line's value as a fraction."""
    if isinstance(value, bool):
        return value
    try:
        return parse_fraction(value)
    except ValueError:
        raise ValueError(
            'expected true, false or the cashable share as a fraction ("0.6"), found '
            f"{describe(value)}"
        ) from None


def _read_cohort(f: Fields, item: Mapping, b: tuple, period) -> Cohort | None:
    """``cohort = { participants = { ... }, engagement, success, lag, persistence }``."""
    table = f.get_table(item, b, "cohort")
    if table is None:
        return None
    c = (*b, "cohort")
    f.check_keys(table, c, COHORT_KEYS)
    if "participants" not in table:
        f.problem((*c, "participants"), 'missing required field "participants" (by year)')
    participants = f.get_by_year(table, c, "participants", _participants, period)
    one = Decimal(1)
    found = {
        "engagement": f.get(table, c, "engagement", parse_fraction, default=one),
        "success": f.get(table, c, "success", parse_fraction, default=one),
        "lag": f.get(table, c, "lag", lambda v: expect_int(v, 0, MAX_COHORT_YEARS), default=0),
        "persistence": f.get(
            table, c, "persistence", lambda v: expect_int(v, 1, MAX_COHORT_YEARS), default=1
        ),
    }
    if any(value is None for value in found.values()) or not participants:
        if "participants" in table and not table["participants"]:
            f.problem((*c, "participants"), "expected participants in one year or more")
        return None
    return Cohort(participants=participants, **found)


def _participants(value: Any) -> Decimal:
    count = parse_number(value, "a number of participants")
    if count < 0:
        raise ValueError(f"expected a number of participants of 0 or more, found {count}")
    return count


def _read_reduces(
    f: Fields, item: Mapping, b: tuple, cashable: bool, check_agency, check_category
) -> Reduces | None:
    """``reduces = { agency = ..., category = ..., theme = ... }`` on a cashable line."""
    table = f.get_table(item, b, "reduces")
    if table is None:
        return None
    r = (*b, "reduces")
    f.check_keys(table, r, REDUCES_KEYS)
    if not cashable:
        f.problem(r, "reduces applies to cashable lines only: add cashable = true or remove it")
    if not any(key in table for key in REDUCES_KEYS):
        f.problem(r, f"give at least one of {', '.join(REDUCES_KEYS)}")
        return None
    found = {
        "agency": check_agency((*r, "agency"), table["agency"]) if "agency" in table else None,
        "category": check_category((*r, "category"), table["category"])
        if "category" in table
        else None,
        "theme": f.get(table, r, "theme", expect_id),
    }
    if not cashable or any(found[k] is None for k in REDUCES_KEYS if k in table):
        return None
    return Reduces(**found)


def _read_realignment(
    f: Fields, item: Mapping, index: int, period, check_agency, prefix: tuple = ()
) -> Realignment | None:
    r = (*prefix, "realignments", index)
    f.check_keys(item, r, REALIGNMENT_KEYS)
    ends = {}
    for key in ("from", "to"):
        if key not in item:
            f.problem((*r, key), f'missing required field "{key}"')
            ends[key] = None
        else:
            ends[key] = check_agency((*r, key), item[key])
    if ends["from"] is not None and ends["from"] == ends["to"]:
        f.problem((*r, "to"), REALIGNMENT_ONE_BODY.format(agency=ends["to"]))
    kind = f.get(item, r, "kind", expect_choice(COST_KINDS), required=True)
    if "amounts" not in item:
        f.problem((*r, "amounts"), 'missing required field "amounts"')
    amounts = f.get_by_year(item, r, "amounts", transfer_amount, period)
    description = f.get(item, r, "description", expect_str, default="") or ""
    if ends["from"] is None or ends["to"] is None or ends["from"] == ends["to"] or kind is None:
        return None  # reported above; nothing else of the line is left to check
    return Realignment(
        from_agency=ends["from"],
        to_agency=ends["to"],
        kind=kind,
        amounts=amounts,
        description=description,
    )


def load_path(
    path: Path | str,
    *,
    categories: frozenset[str] | None = None,
    registered_agencies: Mapping[str, Agency] | None = None,
    programme_read: ProgrammeRead | None = None,
) -> Programme:
    """Read a programme folder, its ``programme.toml``, or a single case file.

    :param programme_read: the programme's ``programme.toml`` already read (by the pipeline,
        which needs its plugins first), so that it is not read again.
    :raises InputError: listing every problem found in every file.
    """
    path = Path(path)
    problems: list[Problem] = []
    if not path.exists():
        raise InputError([Problem("no such file or folder", file=path)])
    if path.is_dir():
        folder, programme_file, case_files = path, path / PROGRAMME_FILE, None
    elif path.name == PROGRAMME_FILE:
        folder, programme_file, case_files = path.parent, path, None
    else:
        folder, programme_file, case_files = path.parent, path.parent / PROGRAMME_FILE, [path]
    if case_files is None:
        if not programme_file.is_file():
            raise InputError([Problem(f"a programme folder needs a {PROGRAMME_FILE}", file=folder)])
        case_files = sorted(
            p
            for p in folder.glob("*.toml")
            if p.name != PROGRAMME_FILE and not p.name.startswith((".", "_"))
        )
    programme: Programme | None = None
    agencies: dict[str, Agency] | None = None
    if programme_file.is_file():
        if programme_read is not None and programme_read.path == programme_file:
            read = programme_read.result
            problems.extend(programme_read.problems)
        else:
            read = read_programme(programme_file, problems)
        if read is not None:
            programme = read[0]
            agencies = dict(registered_agencies or {})
            agencies.update({a.id: a for a in programme.agencies})
    discount_base = programme.discount_base if programme else None
    cases: list[BusinessCase] = []
    seen: dict[str, Path] = {}
    for file in case_files:
        case = read_case(
            file, problems, agencies=agencies, categories=categories, discount_base=discount_base
        )
        if case is None:
            continue
        if case.id in seen:
            problems.append(
                Problem(
                    f'case id "{case.id}" is already used by {seen[case.id]}',
                    file=file,
                    line=_line_of(file, ("id",)),
                    field="id",
                )
            )
            continue
        seen[case.id] = file
        cases.append(case)
    if programme is None and not problems:
        programme = _lone_programme(cases, registered_agencies or {})
    if problems or programme is None:
        raise InputError(problems or [Problem("nothing to read", file=path)])
    if agencies is not None:
        # The programme's own agencies, then those plugins registered for it to use.
        own = {a.id for a in programme.agencies}
        programme_agencies = list(programme.agencies) + [
            a for key, a in sorted(agencies.items()) if key not in own
        ]
    else:
        programme_agencies = list(programme.agencies)
    return attrs.evolve(programme, cases=cases, agencies=programme_agencies)


def _line_of(file: Path, path: tuple[str | int, ...]) -> int | None:
    """The line of a field in a file already read once (None if it cannot be read again)."""
    try:
        return FieldLines(read_text(file)).line_of(path)
    except InputError:
        return None


def _agencies_used(cases: list[BusinessCase]) -> set[str]:
    used: set[str] = set()
    for case in cases:
        if case.sponsor:
            used.add(case.sponsor)
        used.update(line.agency for line in (*case.costs, *case.benefits))
        for r in case.realignments:
            used.update((r.from_agency, r.to_agency))
    return used


def _lone_programme(cases: list[BusinessCase], registered: Mapping[str, Agency]) -> Programme:
    """The default programme around case files read without a ``programme.toml``."""
    agencies = [registered.get(a) or Agency(id=a, name=a) for a in sorted(_agencies_used(cases))]
    first = cases[0] if cases else None
    return Programme(
        id=first.id if first else "programme",
        name=first.title if first else "",
        agencies=agencies,
        cases=cases,
        source=first.source if first else None,
    )
