"""The workbook prints as the board expects and says what it holds (SPEC §6, §17): the
Data sheets do not print, page numbers count within each sheet, every sheet fits the
page's width, charts sit below their tables and never cross a page break, bar labels
sit outside the bars (or are left out when the bars are many), the Kontroller sheet
speaks Swedish, `entity`, `report` and `unit` shape the workbook and its name, and a
figure nobody delivered is "–" while a partial total is marked and footnoted.

The file's structure is checked always; LibreOffice, where installed, prints the
samples' workbook to PDF for the page count and the page numbers."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from helpers import INCOME_HEADER, income_rows, run_cli, sample_config, write_region, write_workbook

PERIOD = "2026-04"
A4_LANDSCAPE_PRINTABLE = (841.89 - 72, 595.28 - 108)  # points: A4 landscape less 0.5" / 0.75" margins
REPORT_SHEETS_MAX_PAGES = 15
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# -- building and reading ----------------------------------------------------------------
def _load(config: Path):
    from consolidate.commands.session import load
    from consolidate.readers.tables import load_config  # region.toml and the tables it names

    result, _ = load(load_config(config, PERIOD), PERIOD)
    assert result.ok, [p.message for p in result.problems if p.is_error]
    return result


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """The samples' workbook as the CLI writes it, and the run's result."""
    out = tmp_path_factory.mktemp("print") / "out"
    done = run_cli("run", "--config", str(sample_config()), "--period", PERIOD, "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    return out / f"REG_{PERIOD}.xlsx", _load(sample_config())


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part in the package."""
    with zipfile.ZipFile(path) as package:
        book = package.read("xl/workbook.xml").decode("utf-8")
        rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    return {_unescape(name): "xl/" + targets[rid] for name, rid in re.findall(r'<sheet name="([^"]*)" sheetId="\d+" r:id="(rId\d+)"', book)}


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def _charts(path: Path) -> dict[str, list[dict]]:
    """Sheet name -> its charts: first and last row they cover (0-based, as anchored)
    and the chart's XML."""
    found: dict[str, list[dict]] = {}
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        for sheet, part in _sheet_parts(path).items():
            rels_part = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rels_part not in names:
                continue
            # the drawings with charts (a sheet's cell notes are a vmlDrawing, without charts)
            for drawing in re.findall(r'Target="\.\./drawings/(drawing\d+\.xml)"',
                                      package.read(rels_part).decode("utf-8")):
                xml = package.read(f"xl/drawings/{drawing}").decode("utf-8")
                drels = package.read(f"xl/drawings/_rels/{drawing}.rels").decode("utf-8")
                charts = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="\.\./charts/([^"]+)"', drels))
                for anchor in re.findall(r"<xdr:twoCellAnchor.*?</xdr:twoCellAnchor>", xml, re.S):
                    rows = [int(r) for r in re.findall(r"<xdr:row>(\d+)</xdr:row>", anchor)]
                    rid = re.search(r'<c:chart [^>]*r:id="(rId\d+)"', anchor).group(1)
                    found.setdefault(sheet, []).append({
                        "first": rows[0], "last": rows[1],
                        "xml": package.read(f"xl/charts/{charts[rid]}").decode("utf-8"),
                    })
    return found


def _breaks(ws) -> list[int]:
    """The manual page breaks: each the 0-based row that starts a page."""
    return sorted(b.id for b in ws.row_breaks.brk)


def _page_points(ws) -> float:
    """One printed page's height in the sheet's points, from the fit-to-width scale of
    the column widths stored in the file (Excel: 7 pixels a character and 5)."""
    widths: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        if dim.width:
            for col in range(dim.min, dim.max + 1):
                widths[col] = dim.width
    pixels = sum(int(widths.get(c, 8.43) * 7 + 0.5) + 5 for c in range(1, max(widths) + 1))
    scale = min(1.0, A4_LANDSCAPE_PRINTABLE[0] / (pixels * 0.75))
    return A4_LANDSCAPE_PRINTABLE[1] / scale


def _row_points(ws, first: int, stop: int) -> float:
    """Rows [first, stop) (0-based) at their stored height, else 15 points."""
    return sum(ws.row_dimensions[r + 1].height or 15.0 for r in range(first, stop))


def _titles(ws) -> tuple[int, int] | None:
    if not ws.print_title_rows:
        return None
    first, last = (int(x) for x in re.findall(r"\$(\d+)", ws.print_title_rows))
    return first - 1, last - 1


def _content_rows(ws) -> set[int]:
    """0-based rows with a value in any cell."""
    return {cell.row - 1 for row in ws.iter_rows() for cell in row if cell.value is not None}


def _assert_charts_placed(path: Path) -> int:
    """Every chart lies below its sheet's first table, over no cell with a value, within
    the rows of one printed page (from the page's first row, as the manual breaks
    set it, down to the chart's last row). Returns how many charts there are."""
    book = openpyxl.load_workbook(path)
    count = 0
    for sheet, charts in _charts(path).items():
        ws = book[sheet]
        content = _content_rows(ws)
        breaks = _breaks(ws)
        titles = _titles(ws)
        page = _page_points(ws)
        for chart in charts:
            count += 1
            first, last = chart["first"], chart["last"]
            assert min(content) < first, (sheet, first)
            overlapped = sorted(r for r in content if first <= r <= last)
            assert not overlapped, (sheet, "chart over cells", overlapped)
            assert not [b for b in breaks if first < b <= last], (sheet, "a page break inside the chart", breaks)
            start = max([b for b in breaks if b <= first], default=0)
            height = _row_points(ws, start, last + 1)
            if start > 0 and titles is not None:
                height += _row_points(ws, titles[0], titles[1] + 1)
            assert height <= page, (sheet, start, first, last, height, page)
    return count


# -- what prints ---------------------------------------------------------------------------
NOT_PRINTED = {"Data": 8, "Underlag": 16, "Personal per enhet": 41, "Utveckling": 14}  # sheet -> its table's columns


def test_data_sheets_are_not_printed_and_report_sheets_are(samples):
    path, _ = samples
    book = openpyxl.load_workbook(path)
    for name, columns in NOT_PRINTED.items():
        sheet = book[name]
        area = sheet.print_area.split("!")[1].replace("$", "")
        assert re.fullmatch(r"[A-Z]+1", area), (name, area)  # one cell ...
        assert sheet[area].value is None, name  # ... an empty one ...
        assert openpyxl.utils.column_index_from_string(area[:-1]) > columns, name  # ... right of the table
    for ws in book.worksheets:
        if ws.title not in NOT_PRINTED:
            assert not ws.print_area, ws.title  # everything written prints


def test_every_sheet_one_page_wide_numbered_from_one_with_swedish_header_and_footer(samples):
    path, _ = samples
    book = openpyxl.load_workbook(path)
    parts = _sheet_parts(path)
    with zipfile.ZipFile(path) as package:
        for ws in book.worksheets:
            setup = ws.page_setup
            assert setup.orientation == "landscape" and setup.paperSize in ("9", 9), ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, ws.title
            xml = package.read(parts[ws.title]).decode("utf-8")
            page_setup = re.search(r"<pageSetup [^>]*>", xml).group(0)
            assert 'useFirstPageNumber="1"' in page_setup and "firstPageNumber" not in page_setup.replace(
                "useFirstPageNumber", ""), (ws.title, page_setup)  # each sheet's pages from 1
            assert "Region Exempel" in ws.oddHeader.left.text and PERIOD in ws.oddHeader.right.text, ws.title
            footer = ws.oddFooter.right.text
            assert "&A" in footer and "&P" in footer and "&N" not in footer, (ws.title, footer)  # no total
            assert "sida" in footer and PERIOD in ws.oddFooter.left.text, ws.title
    assert "belopp i tkr" in book["Region Exempel"].oddFooter.left.text
    assert "belopp i kr" in book["Data"].oddFooter.left.text  # the Data sheets are in kr
    assert "belopp" not in book["Kontroller"].oddFooter.left.text
    for name in ("Region Exempel", "HSF Hälso- och sjukvårdsförvalt", "Driftredovisning", "Kontroller"):
        assert book[name].print_title_rows, name  # the table's heading on every page
    # Personal: each entity's block has its headings and prints on one page
    # (tests/test_workbook_staffing.py), so nothing is repeated


def test_charts_sit_below_their_tables_within_one_page(samples):
    path, _ = samples
    assert _assert_charts_placed(path) == 3  # the region's variances, the staffing, Utveckling's trend


def test_bar_labels_sit_outside_the_bars_and_the_names_left_of_the_plot(samples):
    path, _ = samples
    bar = next(c for c in _charts(path)["Region Exempel"] if '<c:barDir val="bar"/>' in c["xml"])["xml"]
    assert '<c:showVal val="1"/>' in bar
    # outside the bar's end (left of a negative bar): a bar chart's default position,
    # for which Excel (and XlsxWriter) write no element; no other position
    assert set(re.findall(r'<c:dLblPos val="(\w+)"/>', bar)) <= {"outEnd"}
    assert '<c:tickLblPos val="low"/>' in bar  # the names left of the plot, not on the zero line
    values = re.search(r"<c:valAx>.*?</c:valAx>", bar, re.S).group(0)
    low, high = (float(re.search(rf'<c:{k} val="([^"]+)"/>', values).group(1)) for k in ("min", "max"))
    assert low < 0 < high  # room for the labels on both sides, zero on the axis


def test_many_bars_get_no_labels_and_the_chart_stays_on_one_page(tmp_path):
    admins = [(f"F{i:02d}", f"Förvaltning {i}", "REG") for i in range(1, 41)]
    units = [(f"U{i:02d}", f"Enhet {i}", f"F{i:02d}") for i in range(1, 41)]
    config = write_region(tmp_path, admins + units)
    for i in range(1, 41):
        lines = [("3011", "Intäkt", 100 * i, 90 * i, 80, 300, 310, 290), ("4011", "Löner", -60, -50 * i, -40, -150, -160, -140)]
        write_workbook(tmp_path / "in" / PERIOD / "resultat" / f"U{i:02d}.xlsx", income_rows(f"U{i:02d}", lines))
    from consolidate.outputs.excel import write_report

    path = write_report(_load(config), tmp_path / "out", "tkr")
    chart = _charts(path)["Testregionen"][0]["xml"]
    assert "<c:dLbls>" not in chart or '<c:showVal val="1"/>' not in chart  # 40 bars: labels would overlap
    assert _assert_charts_placed(path) == 2  # and Utveckling's trend


@pytest.mark.parametrize("decimals", [0, 1])
def test_the_value_axis_steps_are_shown_exactly(decimals):
    """A step of 2.5 tkr would be labelled 0, 3, 5, 8 (the axis shows whole tkr)."""
    from consolidate.outputs.excel.region import nice_step

    smallest = 10.0 ** -decimals
    for rough in (0.01, 0.04, 0.2, 0.3, 1.7, 2.2, 3, 23, 230, 2_400, 41_000):
        step = nice_step(rough, smallest)
        assert step >= rough and step >= smallest
        assert abs(step / smallest - round(step / smallest)) < 1e-9, (rough, step)
        assert step <= 2 * max(rough, smallest) * 2.5  # still a fine enough step


# -- Swedish -----------------------------------------------------------------------------------
def test_kontroller_shows_no_internal_check_id(samples):
    from consolidate.problems import CHECKS

    path, result = samples
    texts = {cell for row in openpyxl.load_workbook(path)["Kontroller"].iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)}
    assert not texts & set(CHECKS), texts & set(CHECKS)
    assert not texts & {"error", "warning"}
    assert set(CHECKS.values()) <= texts  # every check by what it checks
    rows = list(openpyxl.load_workbook(path)["Kontroller"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Allvarlighet")
    listed = [r for r in rows[header + 1:] if r[6]]
    shown = []
    for problem in result.problems:  # a message about internal trade names its files by their names
        message = problem.message
        for file in sorted(problem.extra.get("files") or [], key=len, reverse=True):
            message = message.replace(file, Path(file).name)
        shown.append(message)
    assert [r[6] for r in listed] == shown
    for row, problem in zip(listed, result.problems):
        assert row[0] in ("Fel", "Varning", "Information") and row[0] != problem.severity
        assert row[1] == CHECKS.get(problem.check, "Övriga kontroller"), (row[1], problem.check)


# -- what the workbook holds and its name ----------------------------------------------
def test_file_names_say_what_the_workbook_holds():
    from consolidate.outputs.excel.writer import workbook_name

    config = SimpleNamespace(region_code="REG", amount_unit="tkr", tree=SimpleNamespace(root="REG"),
                             chart=SimpleNamespace(reports=[SimpleNamespace(name="Resultaträkning")]))
    result = SimpleNamespace(config=config, period=PERIOD)
    assert workbook_name(result) == f"REG_{PERIOD}.xlsx"
    assert workbook_name(result, "REG", "tkr", "resultaträkning") == f"REG_{PERIOD}.xlsx"  # the defaults
    assert workbook_name(result, None, "mkr") == f"REG_{PERIOD}_mkr.xlsx"
    assert workbook_name(result, "HSF", "tkr") == f"REG_HSF_{PERIOD}.xlsx"
    assert workbook_name(result, "HSF", "mkr", "Förenklad") == f"REG_HSF_{PERIOD}_Förenklad_mkr.xlsx"
    config.region_code = 'R:G/"x"'
    assert workbook_name(result, "A\\B?", None, "R*1") == f"R_G__x__A_B__{PERIOD}_R_1.xlsx"


def test_entity_workbook_holds_its_subtree_and_keeps_the_regions(samples, tmp_path):
    from consolidate.outputs.excel import write_report

    _, result = samples
    tree = result.config.tree
    region = write_report(result, tmp_path, "tkr")
    before = region.read_bytes()
    path = write_report(result, tmp_path, "mkr", entity="hsf")  # codes match without regard to case
    assert path.name == f"REG_HSF_{PERIOD}_mkr.xlsx"
    assert region.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [region.name, path.name])
    subtree = tree.subtree("HSF")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0].startswith("HSF ") and "Region Exempel" not in book.sheetnames
    assert not any(name.split(" ")[0] in tree.administrations() and not name.startswith("HSF")
                   for name in book.sheetnames)
    first = [r[0] for r in book.worksheets[0].iter_rows(values_only=True) if isinstance(r[0], str)]
    assert f"1110 {tree.entities['1110'].name}" in first  # the entities under it, on its sheet
    drift = list(book["Driftredovisning"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(drift) if r[0] == "Kod")
    assert [r[0] for r in drift[header + 1:] if r[0]] == subtree
    data = {r[1] for r in book["Data"].iter_rows(min_row=2, values_only=True)}
    assert data == set(subtree)
    staff = list(book["Personal"].iter_rows(values_only=True))
    blocks = [r[0] for r, after in pairwise(staff) if after[0] == "Arbetad tid (timmar) och årsarbetare"]
    assert blocks == [f"{c} {tree.entities[c].name}" for c in ("HSF", *tree.children["HSF"])]
    every = {r[0] for r in book["Personal per enhet"].iter_rows(min_row=3, values_only=True)}
    assert every == set(subtree)
    underlag = {r[0] for r in book["Underlag"].iter_rows(min_row=2, values_only=True)}
    assert underlag == {u for u in subtree if tree.level(u) == "unit"} & set(result.source_rows["unit"])
    assert "Hälso- och sjukvårdsförvaltningen" in book.properties.title
    with pytest.raises(ValueError):
        write_report(result, tmp_path, "tkr", entity="ZZ9")


# -- missing and partial figures -------------------------------------------------------
ENTITIES = [("ADM", "Förvaltningen", "REG"), ("U1", "Enhet ett", "ADM"), ("U2", "Enhet två", "ADM"),
            ("ANN", "Annan förvaltning", "REG"), ("U3", "Enhet tre", "ANN")]


def _partial_region(root: Path) -> Path:
    """U1 delivers every measure, U2 no Prognos, U3 neither Prognos nor Bokslut fg år."""
    config = write_region(root, ENTITIES)
    no_forecast = [h for h in INCOME_HEADER if h != "Prognos"]
    neither = [h for h in no_forecast if h != "Bokslut fg år"]
    for unit, header, line in (("U1", INCOME_HEADER, (3010, "Intäkter", 100, 90, 80, 1200, 1250, 1100)),
                               ("U2", no_forecast, (3010, "Intäkter", 40, 40, 30, 480, 400)),
                               ("U3", neither, (3010, "Intäkter", 10, 10, 10, 120))):
        write_workbook(root / f"in/{PERIOD}/resultat/{unit}.xlsx",
                       [["Ansvar:", unit], [f"Period: {PERIOD}"], ["Belopp i kr"], [], header, list(line)])
    return config


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_a_figure_nobody_delivered_is_a_dash_and_a_partial_total_is_footnoted(tmp_path):
    from consolidate.outputs.excel import write_report

    result = _load(_partial_region(tmp_path))
    book = openpyxl.load_workbook(write_report(result, tmp_path / "out", "kr"))
    region = _rows(book["Testregionen"])
    header = next(r for r in region if r[1] == "Utfall")
    assert "Prognos *" in header and "Avv. prognos *" in header and "Bokslut fg år *" in header
    assert "Utfall" in header and "Budget" in header  # delivered by every unit: not marked
    notes = [r[0] for r in region if isinstance(r[0], str) and r[0].startswith("* ")]
    assert "* Prognos saknas för 2 av 3 enheter; summan är ofullständig." in notes
    assert "* Bokslut fg år saknas för 1 av 3 enheter; summan är ofullständig." in notes
    intakter = next(r for r in region if r[0] == "Intäkter")
    assert intakter[header.index("Prognos *")] == 1250  # the units that delivered it
    ann = next(r for r in region if isinstance(r[0], str) and r[0].startswith("ANN "))
    assert ann[header.index("Prognos *")] == "–" and ann[header.index("Bokslut fg år *")] == "–"  # nobody: not 0
    assert next(r for r in region if isinstance(r[0], str) and r[0].startswith("ADM ")).count(None) < len(header)
    assert any(r[0] == "ADM Förvaltningen *" for r in region)  # a partial row in a table of entities
    ann_sheet = _rows(book["ANN Annan förvaltning"])
    ann_header = next(r for r in ann_sheet if r[1] == "Utfall")
    assert "Prognos" in ann_header and "Prognos *" not in ann_header  # nothing to complete: empty, not partial
    assert next(r for r in ann_sheet if r[0] == "Intäkter")[ann_header.index("Prognos")] == "–"
    drift = _rows(book["Driftredovisning"])
    head = next(r for r in drift if r[0] == "Kod")
    note = {r[0]: r[head.index("Ofullständig summa")] for r in drift[drift.index(head) + 1:]}
    assert note["REG"] == "Prognos saknas för 2 av 3 enheter; Bokslut fg år saknas för 1 av 3 enheter"
    assert note["ADM"] == "Prognos saknas för 1 av 2 enheter" and note["U1"] is None
    data = [r for r in _rows(book["Data"])[1:] if r[1] == "ANN" and r[6] == "Prognos"]
    assert data and all(r[7] is None for r in data)  # empty for pivots, never 0
    # the chart names the administrations without the table's "*"
    path = tmp_path / "out" / "REG_2026-04_kr.xlsx"
    bar = _charts(path)["Testregionen"][0]["xml"]
    ref = re.search(r"<c:cat>.*?<c:f>([^<]+)</c:f>", bar, re.S).group(1)
    column, first, last = re.fullmatch(r"Testregionen!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", ref).groups()
    ws = book["Testregionen"]
    assert [ws[f"{column}{r}"].value for r in range(int(first), int(last) + 1)] == [
        "ADM Förvaltningen", "ANN Annan förvaltning"]
    assert ws.column_dimensions[column].hidden
    assert '<c:plotVisOnly val="1"/>' not in bar  # data of hidden cells shown (XlsxWriter: no element)


def test_partial_totals_from_a_result_that_reports_them_any_way(samples, tmp_path, monkeypatch):
    """Whatever reports the partial totals (a stub here), the words and the marks."""
    from consolidate.outputs.excel import write_report

    _, result = samples
    root = result.config.tree.root
    monkeypatch.setattr(result, "lacking", lambda e: {"forecast": (3, 12)} if e == root else {}, raising=False)
    book = openpyxl.load_workbook(write_report(result, tmp_path, "tkr"))
    rows = _rows(book["Region Exempel"])
    header = next(r for r in rows if r[1] == "Utfall")
    assert [h for h in header if h and h.endswith("*")] == ["Prognos *", "Avv. prognos *"]
    assert "* Prognos saknas för 3 av 12 enheter; summan är ofullständig." in [r[0] for r in rows]
    monkeypatch.setattr(result, "lacking", None, raising=False)  # a run that cannot tell
    book = openpyxl.load_workbook(write_report(result, tmp_path, "tkr"))
    assert not [r for r in _rows(book["Region Exempel"]) if isinstance(r[0], str) and r[0].startswith("* ")]


# -- printed by LibreOffice ------------------------------------------------------------
SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_the_samples_print_on_few_pages_numbered_per_sheet(samples, tmp_path):
    path, _ = samples
    profile = tmp_path / "profile"
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=300)
    pdf = tmp_path / path.with_suffix(".pdf").name
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    pages = _pdf_pages(pdf)
    assert 0 < len(pages) <= REPORT_SHEETS_MAX_PAGES, len(pages)
    numbers: dict[str, list[int]] = {}
    for page in pages:
        found = re.findall(r"(\S[^\n]*?) – sida (\d+)", page)
        assert found, page[-300:]
        sheet, number = found[-1]
        numbers.setdefault(sheet.split()[-1], []).append(int(number))
    for sheet, seen in numbers.items():
        assert seen == list(range(1, len(seen) + 1)), (sheet, seen)  # counted within the sheet
    assert "Data" not in numbers and len(numbers) >= 6
    assert not any("Belopp (kr)" in page for page in pages)  # nothing of the Data sheet


def _pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext), or without poppler as many empty strings as
    the PDF has pages."""
    if shutil.which("pdftotext") is None:
        count = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
        pytest.skip(f"pdftotext is not installed ({count} pages)")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]

