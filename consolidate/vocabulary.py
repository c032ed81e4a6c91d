"""The tool's words, defined once: measures, amount units, variances, staffing figures,
levels of the tree, and their Swedish names as controllers read them.

Imports nothing of the package, so every layer may use it. Readers take header
labels from here, the core takes the measures, the outputs take the headings.
"""

from __future__ import annotations

# --- income measures (SPEC §0) ---------------------------------------------------

# The six measures of an income line, in the order of the JSON and the Data sheet.
MEASURES = ("actual", "budget", "prior", "annual_budget", "forecast", "prior_full_year")

# Derived columns: name -> (minuend, subtrahend); positive is favourable on every line.
VARIANCES = {
    "var_budget": ("actual", "budget"),
    "var_prior": ("actual", "prior"),
    "var_forecast": ("forecast", "annual_budget"),
}

# Header labels of an income statement, per key: the first is the measure's full
# Swedish name (used in messages); config may add aliases (`[inputs.aliases]`).
INCOME_LABELS: dict[str, tuple[str, ...]] = {
    "account": ("Konto",),
    "name": ("Benämning", "Kontonamn"),
    "counterparty": ("Motpart",),
    "unit": ("Ansvar", "Enhet"),
    "actual": ("Utfall", "Ack utfall"),
    "budget": ("Budget", "Ack budget"),
    "prior": ("Utfall fg år", "Ack utfall fg år"),
    "annual_budget": ("Årsbudget", "Helårsbudget"),
    "forecast": ("Prognos", "Helårsprognos"),
    "prior_full_year": ("Bokslut fg år",),
}

# A measure's full name, as a message names it: "Utfall fg år".
MEASURE_NAMES = {m: INCOME_LABELS[m][0] for m in MEASURES}

# The columns of a report in the seeds' order, with their headings: "Fg år".
REPORT_COLUMNS = (
    ("actual", "Utfall"),
    ("budget", "Budget"),
    ("var_budget", "Avvikelse"),
    ("prior", "Fg år"),
    ("var_prior", "Avv. fg år"),
    ("forecast", "Prognos"),
    ("annual_budget", "Årsbudget"),
    ("var_forecast", "Avv. prognos"),
    ("prior_full_year", "Bokslut fg år"),
)
HEADINGS = dict(REPORT_COLUMNS)

# The change since the previous closed month, and the driftredovisning's result as % of
# revenue: their headings (a change's heading ends with " sedan 2026-03").
CHANGE_KEYS = ("change_actual", "change_var_budget")
MORE_HEADINGS = {
    "change_actual": "Förändring",
    "change_var_budget": "Förändring avvikelse",
    "result_pct_revenue": "% av intäkter",
}


def report_columns(since: str | None) -> list[tuple[str, str]]:
    """A report's columns; with a closed earlier month of the year (`since`), also the
    change of Utfall and of Avvikelse since then: "Förändring sedan 2026-03"."""
    if since is None:
        return list(REPORT_COLUMNS)
    return [*REPORT_COLUMNS, *((key, f"{MORE_HEADINGS[key]} sedan {since}") for key in CHANGE_KEYS)]


# Which columns a terminal table keeps when the window cannot hold them all (SPEC §17),
# per table: (always shown, then the others from the most to the least important).
# Columns are left out whole from the end of the second list: on the income tables
# first Bokslut fg år, then Årsbudget, Avv. prognos, the changes since the last close,
# % av intäkter, Prognos, Fg år and last Avv. fg år; Utfall, Budget and Avvikelse stay.
COLUMN_PRIORITY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "income": (
        ("actual", "budget", "var_budget"),
        ("var_prior", "prior", "forecast", "result_pct_revenue", "change_actual", "change_var_budget",
         "var_forecast", "annual_budget", "prior_full_year"),
    ),
    "staffing": (  # the Personal tables: figures as rows, the two years as columns
        ("label", "prior", "current"),
        ("change", "change_pct"),
    ),
    "mismatches": (
        ("party", "counterparty", "measure", "party_amount", "counterparty_amount", "difference"),
        ("party_files", "counterparty_files"),
    ),
}

# Short names for `--columns`, per column; a column's heading is accepted too. Both are
# matched without regard to case, spaces, dots or å/ä/ö ("Avv. fg år" is "avvfgar").
COLUMN_NAMES = {
    "actual": "utfall",
    "budget": "budget",
    "var_budget": "avvikelse",
    "prior": "fgar",
    "var_prior": "avvfgar",
    "forecast": "prognos",
    "annual_budget": "arsbudget",
    "var_forecast": "avvprognos",
    "prior_full_year": "bokslutfgar",
    "change_actual": "forandring",
    "change_var_budget": "forandringavv",
    "result_pct_revenue": "procent",
}


def _folded(name: str) -> str:
    """"Förändring sedan 2026-03" -> "forandring": lower case, a-z and digits only,
    without a change's " sedan …"."""
    folded = name.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    if " sedan " in f" {folded} ":
        folded = folded[: f" {folded} ".index(" sedan ")]
    return "".join(c for c in folded if c.isascii() and c.isalnum())


def _column_names() -> dict[str, str]:
    names = {}
    for key, heading in (*REPORT_COLUMNS, *MORE_HEADINGS.items(), *MEASURE_NAMES.items()):
        names[_folded(heading)] = key
    for key, short in COLUMN_NAMES.items():
        names[short] = key
        names[key] = key  # the keys of the JSON and the code: "var_budget"
    return names


def column_keys(names: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The columns a user chose (`--columns utfall,budget,"Avv. fg år"`) as keys, in the
    order given, each once. Raises ValueError with a Swedish message listing the valid
    names when a name is unknown or none is given."""
    given = [part.strip() for item in ([names] if isinstance(names, str) else names) for part in item.split(",")]
    given = [name for name in given if name]
    known = _column_names()
    unknown = [name for name in given if known.get(_folded(name), known.get(name)) is None]
    valid = ", ".join(COLUMN_NAMES.values())
    if unknown:
        quoted = ", ".join(f"'{name}'" for name in unknown)
        what = "okänd kolumn" if len(unknown) == 1 else "okända kolumner"
        raise ValueError(f"{what}: {quoted}. Giltiga namn: {valid} (eller kolumnens rubrik, t.ex. 'Avv. fg år')")
    if not given:
        raise ValueError(f"inga kolumner angivna. Giltiga namn: {valid}")
    keys = [known.get(_folded(name), known.get(name)) for name in given]
    return tuple(dict.fromkeys(k for k in keys if k is not None))


# Columns whose negative value is unfavourable (shown red).
VARIANCE_KEYS = frozenset({*VARIANCES, "change_var_budget"})

# --- amount units ----------------------------------------------------------------

AMOUNT_UNITS = {"kr": 1.0, "tkr": 1_000.0, "mkr": 1_000_000.0}
# Decimals shown per display unit, as the seeds' tables print them.
UNIT_DECIMALS = {"kr": 0, "tkr": 0, "mkr": 1}

# --- staffing (SPEC §2) ----------------------------------------------------------

# Measures of a staffing sheet and their header labels; each also with " fg år".
STAFF_BASE_LABELS = {
    "headcount": "Anställda",
    "hours_worked": "Arbetad tid",
    "hours_scheduled": "Ordinarie arbetstid",
    "sick_hours": "Sjukfrånvaro",
    "sick_short_hours": "Sjukfrånvaro dag 1-14",
    "sick_long_hours": "Sjukfrånvaro 60- dagar",
    "hired_hours": "Inhyrd tid",
    # SPEC §16: sick leave by length of spell, hours by kind; optional, never warned about
    "sick_15_90_hours": "Sjukfrånvaro dag 15-90",
    "sick_91_365_hours": "Sjukfrånvaro dag 91-365",
    "sick_366_hours": "Sjukfrånvaro dag 366-",
    "hours_worked_incl_on_call": "Arbetad tid inkl jour",
    "pool_hours": "Resurspool",
}
STAFF_OPTIONAL = frozenset({"sick_15_90_hours", "sick_91_365_hours", "sick_366_hours", "hours_worked_incl_on_call",
                            "pool_hours"})
PRIOR_SUFFIX = " fg år"
# Every measure this year and the same months last year ("..._prior").
STAFF_MEASURES = tuple(k for base in STAFF_BASE_LABELS for k in (base, f"{base}_prior"))
STAFF_LABELS: dict[str, tuple[str, ...]] = {
    "group": ("Personalgrupp",),
    "gender": ("Kön",),
    "age_band": ("Åldersgrupp",),
    "unit": ("Ansvar", "Enhet"),
    **{base: (label,) for base, label in STAFF_BASE_LABELS.items()},
    **{f"{base}_prior": (f"{label}{PRIOR_SUFFIX}",) for base, label in STAFF_BASE_LABELS.items()},
}

# Breakdowns of staffing figures, their values, and how they are shown.
DIMENSIONS = ("gender", "age_band", "group")
GENDERS = {"k": "K", "kvinna": "K", "kvinnor": "K", "m": "M", "man": "M", "män": "M"}
AGE_BANDS = ("-29", "30-49", "50-")
BY_NAMES = {None: "Totalt", "gender": "Kön", "age_band": "Åldersgrupp", "group": "Personalgrupp"}
BREAKDOWN_LABELS = {
    "gender": {"K": "Kvinnor", "M": "Män"},
    "age_band": {"-29": "–29 år", "30-49": "30–49 år", "50-": "50– år"},
}

# The staffing figures as the seeds show them (SPEC §16), in their order and wording:
# hours by kind, årsarbetare and employees, with Förändring and Förändring %; sick leave
# in % of scheduled hours by length of spell, the long-term share of all sick leave,
# then by Kön ("Kvinnor", "Män") and by Åldersgrupp ("Anställda –29 år").
STAFF_HOURS_ROWS = (
    ("pool_hours", "Utförd arbetstid resurspool"),
    ("hired_hours", "Utförd arbetstid externt inhyrd personal"),
    ("hours_worked_incl_on_call", "Arbetad tid inkl jour/beredskap"),
    ("hours_worked", "Arbetad tid exkl jour/beredskap"),
    ("fte", "Antal årsarbetare utifrån arbetad tid exkl jour/beredskap"),
    ("headcount", "Anställda vid periodens slut"),
)
STAFF_SICK_ROWS = (
    ("sick_pct", "Total sjukfrånvaro"),
    ("sick_short_pct", "varav sjukdag 1–14"),
    ("sick_15_90_pct", "varav sjukdag 15–90"),
    ("sick_91_365_pct", "varav sjukdag 91–365"),
    ("sick_366_pct", "varav sjukdag 366–"),
    ("long_sick_share_pct", "Andel långtidssjukfrånvaro, 60 dagar eller mer (% av sjukfrånvaron)"),
)
STAFF_AGE_ROW = "Anställda {band}"
STAFF_CHANGE_HEADINGS = {"change": "Förändring", "change_pct": "Förändring %"}

# Key figures of staffing (SPEC §5 `staffing`), in the order of the JSON.
STAFF_FIGURES = (
    "headcount", "headcount_prior", "fte", "fte_prior",
    "sick_pct", "sick_pct_prior", "sick_short_pct", "sick_short_pct_prior",
    "long_sick_share_pct", "long_sick_share_pct_prior", "hired_hours", "hired_hours_prior",
    # SPEC §16
    "sick_15_90_pct", "sick_15_90_pct_prior", "sick_91_365_pct", "sick_91_365_pct_prior",
    "sick_366_pct", "sick_366_pct_prior",
    "hours_worked", "hours_worked_prior", "hours_worked_incl_on_call", "hours_worked_incl_on_call_prior",
    "pool_hours", "pool_hours_prior", "fte_change", "fte_change_pct",
)

# --- the organisation tree and checks ----------------------------------------------

LEVEL_NAMES = {"region": "Region", "administration": "Förvaltning", "group": "Mellannivå", "unit": "Enhet"}
SEVERITY_NAMES = {"error": "Fel", "warning": "Varning", "info": "Information"}
