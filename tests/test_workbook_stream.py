"""The streamed rows of the long sheets (Data, Underlag, Personal per enhet), as
`stream` renders them: a figure nobody delivered is no cell (Data), an empty cell or
its text ("–"); texts are shared strings, "" and None empty cells; every amount kept
to the last bit; the rows the same however they are cut into chunks. And the files of
Underlag named relative to the region's folder, the way `os.path.relpath` does.

Every test writes a real workbook with XlsxWriter, streams the rows into its package
and reads it back with openpyxl."""

from __future__ import annotations

import io
import math
import os
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlsxwriter

from consolidate.outputs.excel import stream
from consolidate.outputs.excel.book import Book
from consolidate.outputs.excel.stream import Column, DataRows, TableRows, package

AMOUNTS = [1.0, -0.5, 123456789.123, 0.1 + 0.2, 1e-7, -2.5e16, 17.0]


def _book() -> tuple[xlsxwriter.Workbook, io.BytesIO]:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    return book, buffer


def _written(path: Path) -> list[list]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _data(path: Path, values: np.ndarray) -> Path:
    book, buffer = _book()
    kr = book.add_format({"num_format": "0"})
    ws = book.add_worksheet("Data")
    for col, heading in enumerate(["Period", "Enhet", "Namn", "Nivå", "Rapport", "Rad", "Mått", "Belopp (kr)"]):
        ws.write_string(0, col, heading)
    prefixes = [(f"E{i}", f"Enhet {i}", "Enhet", "Resultat", "=SUM(A1)" if i == 1 else f"Rad {i % 2}")
                for i in range(len(values))]
    rows = DataRows(period="2026-04", prefixes=prefixes, measures=["Utfall", "Budget"], values=values)
    rows.style = stream.xf_index(kr)
    rows.sheets.append((ws, 0, len(values)))
    rows.share(book)
    book.close()
    package(book, buffer, str(path), rows.parts())
    return path


def test_data_rows_keep_every_amount_and_leave_out_what_nobody_delivered(tmp_path):
    values = np.array([[a, math.nan if i % 3 == 0 else -a] for i, a in enumerate(AMOUNTS)])
    got = _written(_data(tmp_path / "data.xlsx", values))[1:]
    assert len(got) == 2 * len(AMOUNTS)
    for i, amount in enumerate(AMOUNTS):
        first, second = got[2 * i], got[2 * i + 1]
        assert first == ["2026-04", f"E{i}", f"Enhet {i}", "Enhet", "Resultat", "=SUM(A1)" if i == 1 else f"Rad {i % 2}",
                         "Utfall", amount]
        assert second[6] == "Budget"
        assert second[7] == (None if i % 3 == 0 else -amount)


def test_data_rows_are_the_same_however_they_are_cut_into_chunks(tmp_path, monkeypatch):
    values = np.array([[a + i, math.nan if i % 4 == 1 else a * i] for i in range(11) for a in AMOUNTS[:1]])
    whole = _data(tmp_path / "whole.xlsx", values)
    monkeypatch.setattr(stream, "_CHUNK_ROWS", 3)
    cut = _data(tmp_path / "cut.xlsx", values)
    with zipfile.ZipFile(whole) as a, zipfile.ZipFile(cut) as b:
        assert a.read("xl/worksheets/sheet1.xml") == b.read("xl/worksheets/sheet1.xml")


def _table(path: Path, columns: list[Column]) -> Path:
    book, buffer = _book()
    ws = book.add_worksheet("Underlag")
    for col in range(len(columns)):
        ws.write_string(0, col, "Rad i filen" if col == 0 else f"K{col}")
    rows = TableRows(columns, header_rows=1, marker="Rad i filen")
    rows.add_sheet(ws, 0, rows.n)
    rows.share(book)
    book.close()
    package(book, buffer, str(path), rows.parts())
    return path


@pytest.mark.parametrize("chunk", [2_000, 2])
def test_table_rows_empty_texts_blank_numbers_and_missing_marks(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(stream, "_CHUNK_ROWS", chunk)
    n = len(AMOUNTS)
    book_free = [math.nan if i % 2 else a for i, a in enumerate(AMOUNTS)]
    texts = ["=1+1", "", None, "Löner", "", "@SUM(1)", "Löner"]
    path = _table(tmp_path / "table.xlsx", [
        Column(texts),
        Column(np.array(AMOUNTS), numbers=True),
        Column(np.array(book_free), numbers=True),
        Column(np.array(book_free), numbers=True, missing="–"),
        Column(np.full(n, math.nan), numbers=True, missing="–"),
    ])
    got = _written(path)[1:]
    assert [row[0] for row in got] == [t or None for t in texts]
    assert [row[1] for row in got] == AMOUNTS
    assert [row[2] for row in got] == [None if math.isnan(a) else a for a in book_free]
    assert [row[3] for row in got] == ["–" if math.isnan(a) else a for a in book_free]
    assert [row[4] for row in got] == ["–"] * n
    with zipfile.ZipFile(path) as archive:
        shared = archive.read("xl/sharedStrings.xml").decode()
    texts_cells = sum(1 for t in texts if t) + sum(1 for a in book_free if math.isnan(a)) + n
    assert f'count="{texts_cells}"' in shared  # every reference counted (the headings are inline)


class _Config:
    def __init__(self, path: Path) -> None:
        self.path = path


def _expected(file: str, folder: Path) -> str:
    """A file as the region's folder names it: os.path.relpath from there, a relative
    name made whole from the working directory first; as given when it lies more than
    one folder above."""
    path = Path(file)
    shown = os.path.relpath(path if path.is_absolute() else Path.cwd() / path, folder)
    return (file if shown.startswith(f"..{os.sep}..{os.sep}") else shown).replace(os.sep, "/")


def test_files_are_named_from_the_region_folder_as_relpath_would(tmp_path, monkeypatch):
    region = tmp_path / "regioner" / "reg"
    (region / "2026-04").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "regioner")
    book = Book.__new__(Book)  # only what shown_file uses: the config's path and its memory
    book.config = _Config(region / "region.toml")  # type: ignore[assignment]
    book._shown_files, book._shown_folders = {}, {}
    files = ["reg/2026-04/a.xlsx", "reg/2026-04/b.xlsx", str(region / "2026-04" / "c.xlsx"), "reg/x.xlsx",
             "reg/./2026-04/../d.xlsx", "e.xlsx", "../f.xlsx", "../../g.xlsx", "/h.xlsx", "reg",
             "reg/2026-04", str(tmp_path), "..", ".", "reg/", "reg//2026-04/i j.xlsx", "andra/k.xlsx"]
    for file in files:
        assert book.shown_file(file) == _expected(file, region), file
    assert book.shown_file("") == ""
    assert book.shown_file("reg/2026-04/a.xlsx") == "2026-04/a.xlsx"
    assert book.shown_file("../f.xlsx") == "../f.xlsx"
    assert book.shown_file("reg") == "."


def test_parts_deflated_on_threads_are_one_valid_stream_with_the_same_rows(tmp_path, monkeypatch):
    """The streamed sheets' chunks deflated each on its own on several threads (as pigz
    does) give the same sheet XML as zipfile's own deflater, and a package every reader
    accepts: the zip's CRC checks, openpyxl's rows."""
    values = np.array([[a * (i + 1), math.nan if i % 5 == 2 else -a * i] for i in range(40) for a in AMOUNTS])
    monkeypatch.setattr(stream, "_CHUNK_ROWS", 7)  # many chunks: many separately deflated pieces
    monkeypatch.setattr(stream, "_cores", lambda: 3)  # threads also where the machine has one core
    given, deflate = [], stream._Deflate
    monkeypatch.setattr(stream, "_Deflate", lambda *args: given.append(deflate(*args)) or given[-1])
    threaded = _data(tmp_path / "threaded.xlsx", values)
    assert given, "the part was not deflated on threads"
    monkeypatch.setattr(stream, "_deflate_on_threads", lambda handle: False)
    plain = _data(tmp_path / "plain.xlsx", values)
    with zipfile.ZipFile(threaded) as a, zipfile.ZipFile(plain) as b:
        assert a.testzip() is None
        assert a.read("xl/worksheets/sheet1.xml") == b.read("xl/worksheets/sheet1.xml")
        assert a.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_DEFLATED
    assert _written(threaded) == _written(plain)
    assert len(_written(threaded)) == 1 + 2 * len(values)
