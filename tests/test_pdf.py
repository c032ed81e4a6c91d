"""The board's month report as a PDF (SPEC §15), read back with pypdf: its figures
against the JSON export of the same run, text from files kept as text, the chart's
points, `--entity`'s subtree, partial totals, fonts, page numbers, whole or nothing."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from helpers import INCOME_HEADER, copy_samples, run_cli, write_region, write_workbook
from pypdf import PdfReader
from pypdf.generic import ContentStream

PERIOD = "2026-04"
REPORT_KEYS = ["actual", "budget", "var_budget", "prior", "var_prior", "forecast", "annual_budget",
               "var_forecast", "prior_full_year"]
DRIFT_KEYS = ["actual", "budget", "var_budget", "prior", "var_prior", "forecast", "var_forecast"]
HOSTILE = "<b>fet</b> #set page(width: 1cm) =1+1 100 % (parentes) \\ back\x07slash\x1b[31m röd"


def shown(value: float | None, unit: str = "tkr") -> str:
    """An amount as the report shows it, worked out here on its own: rounded half away
    from zero in the unit, a space between thousands, "–" for none."""
    if value is None:
        return "–"
    scale, places = {"kr": (1, 0), "tkr": (1000, 0), "mkr": (1_000_000, 1)}[unit]
    return number(float(Decimal(repr(value)) / scale), places)


def number(value: float | None, places: int = 0) -> str:
    """A figure with `places` decimals, as the report shows it."""
    if value is None:
        return "–"
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    whole, _, decimals = f"{abs(rounded):f}".partition(".")
    groups = re.sub(r"\B(?=(\d{3})+$)", " ", whole)
    return ("-" if rounded < 0 else "") + groups + (f",{decimals}" if decimals else "")


def pages(path: Path) -> list[str]:
    """Each page's text, runs of white space (no-break spaces too) as one space per line."""
    return ["\n".join(" ".join(line.split()) for line in page.extract_text().splitlines())
            for page in PdfReader(path).pages]


def page_of(texts: list[str], title: str) -> str:
    """The text of the pages from the one that holds `title` up to the next entity's
    report (a table running onto more pages is followed)."""
    first = next(i for i, text in enumerate(texts) if title in text)
    found = [texts[first]]
    for text in texts[first + 1:]:
        if "Resultaträkning, " in text.split("\n", 3)[-1] and "(forts.)" not in text:
            break
        found.append(text)
    return "\n".join(found)


def load_result(config: Path, period: str = PERIOD):
    from consolidate.core.period import consolidate_period
    from consolidate.readers.files import read_period
    from consolidate.readers.tables import load_config

    found = consolidate_period(load_config(config, period), period, *read_period(load_config(config, period), period))
    assert found.ok, [p.line() for p in found.problems if p.is_error]
    return found


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The samples, run for April with `--json`; the same run in this process."""
    root = tmp_path_factory.mktemp("pdf")
    config = copy_samples(root)
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(root / "run.json"),
                   "--no-excel", "--quiet")
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "run.json").read_text(encoding="utf-8"))
    return root, config, data, load_result(config)


@pytest.fixture(scope="module")
def report(sample):
    from consolidate.outputs.pdf import write_pdf

    root, _, _, result = sample
    comments = {"1110": f"Hyrpersonal. {HOSTILE}", "rk": "Lägre personalkostnader till följd av vakanser."}
    path = write_pdf(result, root / "out", "tkr", comments=comments)
    return path, pages(path)


def _income(data: dict, entity: str) -> list[dict]:
    report = data["income"][0]["report"]
    return [r for r in data["income"] if r["entity"] == entity and r["report"] == report]


def test_every_figure_of_the_region_and_each_administration_equals_the_json(sample, report):
    _, _, data, _ = sample
    path, texts = report
    assert path.name == f"REG_{PERIOD}.pdf"
    names = {e["code"]: e["name"] for e in data["entities"]}
    administrations = [e["code"] for e in data["entities"] if e["level"] == "administration"]
    assert administrations
    for code in ["REG", *administrations]:
        label = "Region Exempel" if code == "REG" else f"{names[code]} ({code})"
        text = page_of(texts, f"Resultaträkning, {label}, ack. {PERIOD}, tkr")
        lines = text.split("\n")
        rows = _income(data, code)
        assert rows
        for row in rows:
            expected = " ".join([row["row"], *(shown(row[key]) for key in REPORT_KEYS)])
            assert expected in lines, (code, expected)
    # the driftredovisning per förvaltning: each administration's result row, and the region's total
    drift = page_of(texts, f"Driftredovisning per förvaltning, ack. {PERIOD}, tkr").split("\n")
    for code in administrations:
        bottom = _income(data, code)[-1]
        assert any(line.startswith(f"{code} {names[code]} " + " ".join(shown(bottom[k]) for k in DRIFT_KEYS))
                   for line in drift), code
    total = _income(data, "REG")[-1]
    assert "Summa Region Exempel " + " ".join(shown(total[k]) for k in DRIFT_KEYS) in drift


def test_page_one_holds_the_key_figures_and_staffing_equals_the_json(sample, report):
    _, _, data, _ = sample
    _, texts = report
    first = texts[0]
    result_row = _income(data, "REG")[-1]
    assert "Månadsrapport april 2026" in first
    assert f"{result_row['row']}\n{shown(result_row['actual'])} tkr" in first
    variance = shown(result_row["var_budget"])
    assert f"{'' if variance.startswith('-') else '+'}{variance} tkr" in first
    assert f"Helårsprognos\n{shown(result_row['forecast'])} tkr" in first
    staff = {s["entity"]: s for s in data["staffing"] if s["by"] is None}
    region = staff["REG"]
    assert f"Årsarbetare\n{number(region['fte'], 1)} ({number(region['fte_prior'], 1)} föregående år" in first
    assert f"Anställda\n{number(region['headcount'])} ({number(region['headcount_prior'])} föregående år)" in first
    assert f"Sjukfrånvaro\n{number(region['sick_pct'], 1)} % ({number(region['sick_pct_prior'], 1)} %" in first
    assert "Ingen tidigare månad av året är stängd" in first
    personal = page_of(texts, f"Personal, ack. {PERIOD}").split("\n")
    names = {e["code"]: e["name"] for e in data["entities"]}
    administrations = [e["code"] for e in data["entities"] if e["level"] == "administration"]
    for code in administrations:
        row = staff[code]
        figures = [number(row["headcount"]), number(row["headcount_prior"]), number(row["fte"], 1),
                   number(row["fte_prior"], 1)]
        assert f"{code} {names[code]} {' '.join(figures)} " in "\n".join(personal), code


def test_every_page_has_region_period_unit_and_its_number(report):
    _, texts = report
    for number, text in enumerate(texts, start=1):
        assert "Region Exempel" in text and f"ack. {PERIOD}" in text and "Belopp i tkr" in text
        assert f"Sida {number} av {len(texts)}" in text
        assert re.search(r"Skapad \d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)


def test_every_font_is_embedded(report):
    path, _ = report
    fonts = {}
    for page in PdfReader(path).pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        assert "/FontFile2" in font["/FontDescriptor"], name


def test_comments_stand_beside_their_units_and_hostile_text_stays_text(report):
    path, texts = report
    hsf = page_of(texts, "Driftredovisning Hälso- och sjukvårdsförvaltningen (HSF)")
    flat = " ".join(hsf.split())
    assert "Hyrpersonal. <b>fet</b> #set page(width: 1cm) =1+1 100 % (parentes) \\ backslash[31m röd" in flat
    line = next(line for line in hsf.split("\n") if line.startswith("1110 "))
    assert "Hyrpersonal." in line  # on the unit's own line
    region = page_of(texts, "Driftredovisning per förvaltning")
    assert "RK Regionkontoret" in region and "Lägre personalkostnader till följd av vakanser." in region
    everything = "".join(texts)
    assert "\x07" not in everything and "\x1b" not in everything
    raw = path.read_bytes()
    assert b"/JavaScript" not in raw and b"/Launch" not in raw


def test_a_trend_of_four_months_is_a_chart_of_four_points_a_series(sample, tmp_path):
    from consolidate.outputs.pdf import TrendPoint, write_pdf

    _, _, _, result = sample
    trend = [TrendPoint(f"2026-{m:02d}", 1e6 * m, 0.9e6 * m, 0.8e6 * m) for m in (1, 2, 3)]
    trend.append(TrendPoint("2025-12", 5e9, 5e9, 5e9))  # another year: not shown
    path = write_pdf(result, tmp_path / "trend.pdf", "tkr", trend=trend)
    assert Counter(_chart_operators(path))[b"re"] == 4 * 3  # a marker per month and series
    first = pages(path)[0]
    for month in ("jan", "feb", "mar", "apr"):
        assert re.search(rf"^{month}$", first, re.M), month
    assert not re.search(r"^maj$", first, re.M)
    assert "5 000 000" not in first  # December of the year before is not on the axis


def test_a_chart_shows_what_there_is(sample, tmp_path):
    from consolidate.outputs.pdf import TrendPoint, write_pdf
    from consolidate.outputs.pdf.chart import chart_of
    from consolidate.outputs.pdf.inputs import months_of

    _, _, _, result = sample
    alone = write_pdf(result, tmp_path / "alone.pdf", "tkr")  # no trend: the run's own month
    assert Counter(_chart_operators(alone))[b"re"] == 3
    current = TrendPoint(PERIOD, 4.0, 3.0, None)
    given = [{"period": "2026-01", "actual": 1.0, "budget": float("nan"), "prior": 1.0},
             TrendPoint("2026-03", 3.0, 2.0, 2.0), TrendPoint(PERIOD, 99.0, 99.0, 99.0)]
    months = months_of(given, PERIOD, current)
    assert [p.period for p in months] == ["2026-01", "2026-03", PERIOD]
    assert months[-1] == current  # the run's own figures, not a stored close of the month
    chart = chart_of(months, PERIOD, "kr")
    series = {s.key: s.values for s in chart.series}
    assert chart.labels == ("jan", "feb", "mar", "apr")
    assert series["actual"] == (1.0, None, 3.0, 4.0)
    assert series["budget"] == (None, None, 2.0, 3.0)
    assert series["prior"] == (1.0, None, 2.0, None)
    assert chart.points == 3 + 2 + 2
    assert chart.ticks[0] <= 0 <= chart.ticks[-1] and chart.ticks[-1] >= 4.0


def _chart_operators(path: Path) -> list[bytes]:
    reader = PdfReader(path)
    forms = reader.pages[0]["/Resources"]["/XObject"]
    (form,) = [v.get_object() for k, v in forms.items() if "AckumuleratResultat" in k]
    return [operator for _, operator in ContentStream(form, reader).operations]


def test_entity_makes_the_report_of_its_subtree(sample, tmp_path):
    from consolidate.outputs.pdf import write_pdf

    _, _, data, result = sample
    path = write_pdf(result, tmp_path, "tkr", entity="hsf")  # without regard to case
    assert path.name == f"REG_HSF_{PERIOD}.pdf"
    texts = pages(path)
    everything = "\n".join(texts)
    assert "Region Exempel – Hälso- och sjukvårdsförvaltningen (HSF)" in texts[0]
    names = {e["code"]: e["name"] for e in data["entities"]}
    groups = [e["code"] for e in data["entities"] if e["level"] == "group" and _under(data, e["code"], "HSF")]
    assert groups
    units = [e for e in data["entities"] if e["level"] == "unit" and _under(data, e["code"], "HSF")]
    for unit in units:
        assert f"{unit['code']} {unit['name']}" in everything, unit["code"]
    for group in groups:  # a page each, its units on it
        assert f"Resultaträkning, {names[group]} ({group}), ack. {PERIOD}, tkr" in everything, group
    others = [e for e in data["entities"] if e["level"] == "administration" and e["code"] != "HSF"]
    for other in others:
        assert f"{other['code']} {other['name']}" not in everything
        assert f"({other['code']})" not in everything
    bottom = _income(data, "HSF")[-1]
    lines = page_of(texts, f"Resultaträkning, Hälso- och sjukvårdsförvaltningen (HSF), ack. {PERIOD}").split("\n")
    assert " ".join([bottom["row"], *(shown(bottom[k]) for k in REPORT_KEYS)]) in lines


def _under(data: dict, code: str, ancestor: str) -> bool:
    parent = {e["code"]: e["parent"] for e in data["entities"]}
    while code in parent:
        code = parent[code]
        if code == ancestor:
            return True
    return False


def test_the_change_since_the_previous_close_is_on_page_one(tmp_path):
    """Closed for March and run for April: the key figures with March's, as the JSON
    has them; the chart has both months."""
    from consolidate.outputs.history import open_store, previous_close
    from consolidate.outputs.pdf import TrendPoint, write_pdf

    config = copy_samples(tmp_path)
    closed = run_cli("close", "--config", str(config), "--period", "2026-03", "--no-excel", "--quiet")
    assert closed.returncode == 0, closed.stderr
    done = run_cli("run", "--config", str(config), "--period", PERIOD, "--json", str(tmp_path / "run.json"),
                   "--no-excel", "--quiet")
    assert done.returncode == 0, done.stderr
    row = _income(json.loads((tmp_path / "run.json").read_text(encoding="utf-8")), "REG")[-1]
    before = row["previous_close"]
    assert before["period"] == "2026-03"
    result = load_result(config)
    with open_store(result.config.store_path) as conn:
        result.previous = previous_close(conn, PERIOD, result.config.tree)
    march = load_result(config, "2026-03")
    last = march.rows[(march.rows["entity"] == "REG") & (march.rows["report"] == row["report"])].iloc[-1]
    path = write_pdf(result, tmp_path / "april.pdf", "tkr",
                     trend=[TrendPoint("2026-03", last["actual"], last["budget"], last["prior"])])
    first = pages(path)[0]
    variance = shown(before["var_budget"])
    sign = "" if variance.startswith("-") else "+"
    assert f"({shown(before['actual'])} tkr fg. stängd månad 2026-03)" in first
    assert f"({sign}{variance} tkr fg. stängd månad 2026-03)" in first
    assert "Ingen tidigare månad" not in first
    assert Counter(_chart_operators(path))[b"re"] == 2 * 3
    second = pages(path)[1]
    assert "sedan 2026-03" in second  # the headings of the changes since then
    changes = [shown(row["actual"] - before["actual"]), shown(row["var_budget"] - before["var_budget"])]
    assert " ".join([row["row"], *(shown(row[k]) for k in REPORT_KEYS), *changes]) in second.split("\n")


def test_a_partial_total_is_marked_and_what_nobody_delivered_is_a_dash(tmp_path):
    """U2 has no Prognos column: ADM's and the region's Prognos are partial; U3, ANN's
    only unit, has neither Prognos nor Bokslut fg år: ANN's are empty."""
    from consolidate.outputs.pdf import write_pdf

    entities = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM"),
                ("ANN", "Annan förvaltning <i>x</i> %\\u0007", "REG"), ("U3", "Enhet tre", "ANN")]
    config = write_region(tmp_path, entities)

    def sheet(unit: str, header: list[str], values: tuple) -> list[list]:
        return [["Ansvar:", unit], [f"Period: {PERIOD}"], ["Belopp i kr"], [], header, list(values)]

    no_forecast = [h for h in INCOME_HEADER if h != "Prognos"]
    neither = [h for h in no_forecast if h != "Bokslut fg år"]
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U1.xlsx",
                   sheet("U1", INCOME_HEADER, (3010, "Intäkter", 100e3, 90e3, 80e3, 1200e3, 1250e3, 1100e3)))
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U2.xlsx",
                   sheet("U2", no_forecast, (3010, "Intäkter", 40e3, 40e3, 30e3, 480e3, 400e3)))
    write_workbook(tmp_path / f"in/{PERIOD}/resultat/U3.xlsx",
                   sheet("U3", neither, (3010, "Intäkter", 10e3, 10e3, 10e3, 120e3)))
    result = load_result(config)
    texts = pages(write_pdf(result, tmp_path / "partial.pdf", "tkr"))
    region = page_of(texts, f"Resultaträkning, Testregionen, ack. {PERIOD}")
    assert "Prognos *" in region and "Bokslut fg år *" in region
    assert "* Prognos saknas för 2 av 3 enheter; summan är ofullständig." in region
    drift = region.split("\n")
    assert any(line.startswith("ADM Förvaltningen *") for line in drift)
    ann = next(line for line in drift if line.startswith("ANN Annan förvaltning <i>x</i> % "))  # a name is text
    assert ann.split()[-2:] == ["–", "–"]  # Prognos, Avv. prognos: nobody delivered them
    assert "Helårsprognos\n1 250 tkr *" in texts[0]  # U1's: U2 and U3 delivered none
    assert "* Prognos saknas för 2 av 3 enheter" in texts[0] and "Bokslut fg år saknas" not in texts[0]
    assert "Personal" not in "\n".join(texts)  # no staffing sheets were read: no staffing figures
    assert "\x07" not in "".join(texts)


def test_written_whole_or_not_at_all(sample, tmp_path, monkeypatch):
    from consolidate.outputs.pdf import write_pdf

    _, _, _, result = sample
    first = write_pdf(result, tmp_path / "report.pdf", "tkr")
    before = first.read_bytes()
    assert before.startswith(b"%PDF-") and before.rstrip().endswith(b"%%EOF")

    def broken(self, data):
        with open(self, "wb") as handle:
            handle.write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", broken)
    with pytest.raises(OSError, match="disk full"):
        write_pdf(result, tmp_path / "report.pdf", "tkr", comments={"1110": "ny"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]
    assert first.read_bytes() == before


def test_the_place_given_writes_the_file_and_bad_arguments_are_refused(sample, tmp_path):
    from consolidate.outputs.pdf import pdf_name, write_pdf
    from consolidate.runtime.atomic import Staging

    _, _, _, result = sample
    staging = Staging()
    target = write_pdf(result, tmp_path, "mkr", place=staging.path)
    assert target.name == pdf_name(result, None, "mkr") == f"REG_{PERIOD}_mkr.pdf"
    assert not target.exists()  # left for the close to put in place
    staging.commit()
    text = pages(target)
    assert "Belopp i mkr" in text[1]
    for wrong in ({"unit": "öre"}, {"report_name": "Ingen sådan"}, {"entity": "NOPE"}):
        with pytest.raises(ValueError):
            write_pdf(result, tmp_path / "x.pdf", **{"unit": "tkr", **wrong})
    assert not (tmp_path / "x.pdf").exists()
