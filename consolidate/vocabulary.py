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


def report_columns(since: str | None) -> list[tuple[str, str]]:
    """A report's columns; with a closed earlier month of the year (`since`), also the
    change of Utfall and of Avvikelse since then."""
    if since is None:
        return list(REPORT_COLUMNS)
    return [*REPORT_COLUMNS, ("change_actual", f"Utfall Δ {since}"), ("change_var_budget", f"Avvikelse Δ {since}")]

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
}
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

# Key figures of staffing (SPEC §5 `staffing`), in the order of the JSON.
STAFF_FIGURES = (
    "headcount", "headcount_prior", "fte", "fte_prior",
    "sick_pct", "sick_pct_prior", "sick_short_pct", "sick_short_pct_prior",
    "long_sick_share_pct", "long_sick_share_pct_prior", "hired_hours", "hired_hours_prior",
)

# --- the organisation tree and checks ----------------------------------------------

LEVEL_NAMES = {"region": "Region", "administration": "Förvaltning", "group": "Mellannivå", "unit": "Enhet"}
SEVERITY_NAMES = {"error": "Fel", "warning": "Varning"}
