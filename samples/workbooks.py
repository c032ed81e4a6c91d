"""Writing income and staffing workbooks in the layouts SPEC §1-2 allow.

Shared by the sample generator (samples/generate.py) and the benchmark generator
(benchmarks/generate_region.py): each describes its layouts with `IncomeStyle` and
`StaffStyle` and hands ground-truth rows in whole kronor to `write_income` and
`write_staffing`. Workbooks are created at a fixed time, so two runs give
byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

FIXED_TIME = datetime(2026, 5, 4, 8, 0, 0)
MEASURES = ("actual", "budget", "prior", "annual_budget", "forecast", "prior_full_year")
UNIT_DIVISOR = {"kr": Decimal(1), "tkr": Decimal(1_000), "mkr": Decimal(1_000_000)}

# --------------------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------------------

INCOME_LABELS = {
    "plain": {"account": "Konto", "name": "Benämning", "counterparty": "Motpart", "actual": "Utfall",
              "budget": "Budget", "prior": "Utfall fg år", "annual_budget": "Årsbudget",
              "forecast": "Prognos", "prior_full_year": "Bokslut fg år", "unit": "Ansvar"},
    "ack": {"account": "KONTO ", "name": "Kontonamn", "counterparty": "Motpart", "actual": "Ack utfall",
            "budget": "Ack budget", "prior": "Ack utfall fg år", "annual_budget": "Helårsbudget",
            "forecast": "Helårsprognos", "prior_full_year": "Bokslut fg år"},
    "tkr": {"account": "Konto", "name": "Benämning", "counterparty": "Motpart", "actual": "Utfall (tkr)",
            "budget": "Budget (tkr)", "prior": "Utfall fg år (tkr)", "annual_budget": "Årsbudget (tkr)",
            "forecast": "Prognos (tkr)", "prior_full_year": "Bokslut fg år (tkr)"},
    "mixed": {"account": "Konto", "name": "Benämning", "counterparty": "Motpart", "actual": "Ack utfall",
              "budget": "Ack budget", "prior": "Ack utfall fg år", "annual_budget": "Årsbudget",
              "forecast": "Helårsprognos", "prior_full_year": "Bokslut fg år"},
    "lower": {"account": "konto", "name": "benämning", "counterparty": "motpart", "actual": " utfall ",
              "budget": "budget", "prior": "utfall fg år", "annual_budget": "årsbudget",
              "forecast": "prognos", "prior_full_year": "bokslut fg år"},
    # labels only a region.toml with [inputs.aliases] knows (the benchmark's region)
    "alias": {"account": "Konto", "name": "Benämning", "counterparty": "Motpart", "actual": "Utfall hittills",
              "budget": "Budget hittills", "prior": "Utfall fg år", "annual_budget": "Årsbudget",
              "forecast": "Prognos", "prior_full_year": "Bokslut fg år"},
}

STAFF_LABELS = {
    "group": "Personalgrupp", "gender": "Kön", "age_band": "Åldersgrupp", "headcount": "Anställda",
    "hours_worked": "Arbetad tid", "hours_scheduled": "Ordinarie arbetstid", "sick_hours": "Sjukfrånvaro",
    "sick_short_hours": "Sjukfrånvaro dag 1-14", "sick_long_hours": "Sjukfrånvaro 60- dagar",
    "hired_hours": "Inhyrd tid",
    # sick leave by length of spell and hours by kind, as some regions publish them
    "sick_15_90_hours": "Sjukfrånvaro dag 15-90", "sick_91_365_hours": "Sjukfrånvaro dag 91-365",
    "sick_366_hours": "Sjukfrånvaro dag 366-", "hours_worked_incl_on_call": "Arbetad tid inkl jour",
    "pool_hours": "Resurspool",
}
STAFF_LABELS.update({f"{k}_prior": f"{label} fg år" for k, label in list(STAFF_LABELS.items())
                     if k not in ("group", "gender", "age_band")})


@dataclass(frozen=True)
class IncomeStyle:
    key: str
    filename: str                 # fields: code, name, period, month, n
    title: tuple[tuple[str, ...], ...]   # rows of cells from A1; fields: code, period
    header_row: int               # 1-based
    columns: tuple[str, ...]
    labels: str                   # key of INCOME_LABELS
    unit: str                     # kr | tkr | mkr
    account_cell: str             # number | text | combined
    amounts: str                  # number | text-nbsp | text-thin-paren | text-plain
    sections: bool                # heading and subtotal rows
    total_label: str
    formula_total: bool = False
    motpart_number: bool = False
    features: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaffStyle:
    key: str
    filename: str
    title: tuple[tuple[str, ...], ...]
    header_row: int
    detail: str                   # single | gender_age | group
    columns: tuple[str, ...]
    text_numbers: bool = False
    features: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------
# Formatting numbers
# --------------------------------------------------------------------------------------

SEPARATORS = {"text-nbsp": "\u00a0", "text-thin-paren": "\u2009", "text-plain": " "}


def in_unit(kr: int, unit: str) -> Decimal:
    return Decimal(kr) / UNIT_DIVISOR[unit]


def swedish(value: Decimal, style: str) -> str:
    """'1 234,567' with the style's thousands separator and way of showing negatives."""
    whole, _, fraction = format(abs(value), "f").partition(".")
    fraction = fraction.rstrip("0")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = SEPARATORS[style].join(groups) + ("," + fraction if fraction else "")
    if value >= 0:
        return text
    return {"text-nbsp": "\u2212" + text, "text-thin-paren": f"({text})"}.get(style, "-" + text)


# --------------------------------------------------------------------------------------
# Writing workbooks
# --------------------------------------------------------------------------------------

def new_workbook(path: Path, properties: dict, **options) -> xlsxwriter.Workbook:
    """A workbook created at FIXED_TIME with these document properties (author, ...)."""
    workbook = xlsxwriter.Workbook(str(path), options)
    workbook.set_properties({"created": FIXED_TIME, **properties})
    return workbook


def write_title(sheet, title: tuple[tuple[str, ...], ...], code: str, period: str, bold) -> None:
    for r, cells in enumerate(title):
        for c, text in enumerate(cells):
            if text:
                sheet.write_string(r, c, text.format(code=code, period=period), bold if r == 0 else None)


def section_of(account: str) -> str:
    return {"3": "Verksamhetens intäkter", "8": "Skatter, bidrag och finansiella poster"}.get(
        account[0], "Verksamhetens kostnader")


COMMENT_LABEL = "Kommentar"


def write_income(workbook: xlsxwriter.Workbook, style: IncomeStyle, rows: list[dict], code: str, period: str,
                 account_name: Callable[[str], str], comment: str | None = None,
                 row_comments: dict[str, str] | None = None) -> None:
    """One income statement into a new workbook, which is closed; rows are ground-truth
    dicts in kr ({"account", "counterparty", <6 measures>}, and "unit" for a unit column).
    `comment`: the unit's comment, `Kommentar:` and the text on the row above the header
    (which the style must leave free); `row_comments`: account -> a comment on its first
    row, in a `Kommentar` column after the others."""
    sheet = workbook.add_worksheet("Resultat")
    bold = workbook.add_format({"bold": True})
    decimals = {"kr": 0, "tkr": 3, "mkr": 6}[style.unit]
    number = workbook.add_format({"num_format": "#,##0" + ("." + "0" * decimals if decimals else "")})
    labels = INCOME_LABELS[style.labels]
    write_title(sheet, style.title, code, period, bold)
    header = style.header_row - 1
    if comment:
        if len(style.title) >= header:
            raise ValueError(f"style {style.key} has no free row above its header for a comment")
        sheet.write_string(header - 1, 0, f"{COMMENT_LABEL}:", bold)
        sheet.write_string(header - 1, 1, comment)
    for c, key in enumerate(style.columns):
        sheet.write_string(header, c, labels[key], bold)
    sheet.set_column(0, len(style.columns) - 1, 14)
    comment_col = len(style.columns) if row_comments else None
    if comment_col is not None:
        sheet.write_string(header, comment_col, COMMENT_LABEL, bold)
        sheet.set_column(comment_col, comment_col, 50)
    commented: set[str] = set()
    first_text = next(c for c, k in enumerate(style.columns) if k in ("unit", "account"))
    measure_cols = [(c, k) for c, k in enumerate(style.columns) if k in MEASURES]

    def amount(r: int, c: int, value: Decimal) -> None:
        if style.amounts == "number":
            sheet.write_number(r, c, float(value), number)
        elif value != 0:
            sheet.write_string(r, c, swedish(value, style.amounts))

    def amounts_row(r: int, label: str, totals: dict[str, Decimal]) -> None:
        sheet.write_string(r, first_text, label, bold)
        for c, key in measure_cols:
            amount(r, c, totals[key])

    r = header + 1
    first_data = r
    grand = dict.fromkeys(MEASURES, Decimal(0))
    section, subtotal = None, dict.fromkeys(MEASURES, Decimal(0))
    for row in rows:
        account = row["account"]
        if style.sections and section_of(account) != section:
            if section is not None:
                amounts_row(r, f"Summa {section.lower()}", subtotal)
                r += 2
            section, subtotal = section_of(account), dict.fromkeys(MEASURES, Decimal(0))
            sheet.write_string(r, first_text, section, bold)
            r += 1
        for c, key in enumerate(style.columns):
            if key == "unit":
                sheet.write_string(r, c, row["unit"])
            elif key == "account":
                if style.account_cell == "number":
                    sheet.write_number(r, c, int(account))
                elif style.account_cell == "text":
                    sheet.write_string(r, c, account)
                else:
                    sheet.write_string(r, c, f"{account} {account_name(account)}")
            elif key == "name":
                sheet.write_string(r, c, account_name(account))
            elif key == "counterparty":
                if row["counterparty"] and style.motpart_number:
                    sheet.write_number(r, c, int(row["counterparty"]))
                elif row["counterparty"]:
                    sheet.write_string(r, c, row["counterparty"])
            else:
                value = in_unit(row[key], style.unit)
                grand[key] += value
                subtotal[key] += value
                amount(r, c, value)
        if comment_col is not None and account in (row_comments or {}) and account not in commented:
            sheet.write_string(r, comment_col, (row_comments or {})[account])
            commented.add(account)
        r += 1
    last_data = r - 1
    if style.sections and section is not None:
        amounts_row(r, f"Summa {section.lower()}", subtotal)
        r += 2
    if style.formula_total:
        sheet.write_string(r, first_text, style.total_label, bold)
        for c, key in measure_cols:
            cells = f"{xl_rowcol_to_cell(first_data, c)}:{xl_rowcol_to_cell(last_data, c)}"
            sheet.write_formula(r, c, f"=SUM({cells})", number, float(grand[key]))
    else:
        amounts_row(r, style.total_label, grand)
    sheet.freeze_panes(header + 1, 0)
    workbook.close()


def write_staffing(workbook: xlsxwriter.Workbook, style: StaffStyle, rows: list[dict], code: str,
                   period: str) -> None:
    """One staffing workbook into a new workbook, which is closed."""
    sheet = workbook.add_worksheet("Personal")
    bold = workbook.add_format({"bold": True})
    write_title(sheet, style.title, code, period, bold)
    header = style.header_row - 1
    for c, key in enumerate(style.columns):
        sheet.write_string(header, c, STAFF_LABELS[key], bold)
    sheet.set_column(0, len(style.columns) - 1, 13)
    for r, row in enumerate(rows, start=header + 1):
        for c, key in enumerate(style.columns):
            value = row[key]
            if key in ("group", "gender", "age_band"):
                sheet.write_string(r, c, value)
            elif style.text_numbers:
                sheet.write_string(r, c, swedish(Decimal(value), "text-nbsp"))
            else:
                sheet.write_number(r, c, value)
    workbook.close()
