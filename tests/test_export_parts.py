"""The JSON written part by part, its income part made in a forked copy (issue 8),
is byte for byte the document of SPEC §5 written at once."""

from __future__ import annotations

import orjson
import pytest
from helpers import sample_config

from consolidate.core.period import consolidate_period
from consolidate.outputs import export
from consolidate.readers.files import read_period
from consolidate.readers.tables import load_config

CONFIG = sample_config()  # a copy: never the developer's own store or lock beside the config


@pytest.fixture(scope="module")
def result():
    found = consolidate_period(load_config(CONFIG), "2026-04", *read_period(load_config(CONFIG), "2026-04"))
    assert found.ok and len(found.rows) > 100
    return found


@pytest.mark.parametrize("beside_from", [10**9, 1])  # made here; made in a forked copy
def test_parts_give_the_same_bytes_as_the_whole(result, tmp_path, monkeypatch, beside_from):
    monkeypatch.setattr(export, "BESIDE_MIN_ROWS", beside_from)
    whole = orjson.dumps(export.document(result), option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_SERIALIZE_NUMPY)
    write = export.begin_document(result, tmp_path / "parts.json")
    assert not (tmp_path / "parts.json").exists()  # nothing is written before it is asked for
    write()
    assert (tmp_path / "parts.json").read_bytes() == whole


def test_staffing_is_worked_out_when_first_asked_for(result):
    fresh = consolidate_period(load_config(CONFIG), "2026-04", *read_period(load_config(CONFIG), "2026-04"))
    assert fresh._staffing is None and fresh.staffing_rows is not None
    assert fresh.staffing.equals(result.staffing)
    assert fresh._staffing is not None


@pytest.mark.parametrize("beside_from", [10**9, 1])
def test_staffing_begun_first_and_income_later_give_the_same_bytes(result, tmp_path, monkeypatch, beside_from):
    """As `run` makes it: the staffing part begun as soon as the files are read, the
    income part once the previous close is known, the rest when written."""
    monkeypatch.setattr(export, "BESIDE_MIN_ROWS", beside_from)
    whole = orjson.dumps(export.document(result), option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_SERIALIZE_NUMPY)
    doc = export.Document(result)
    doc.begin("staffing")
    doc.begin("income")
    doc.write(tmp_path / "parts.json")
    assert (tmp_path / "parts.json").read_bytes() == whole


@pytest.mark.parametrize("size", [1, 7, 1000, 10**9])
def test_income_made_a_chunk_at_a_time_gives_the_same_bytes(result, size):
    """The income part's JSON is made a chunk of rows at a time; joined, the chunks are
    the JSON of all the rows at once, whatever the chunk's size."""
    rows = [row for chunk in export.income_chunks(result, size=10**9) for row in chunk]
    assert len(rows) == len(result.rows)
    whole = orjson.dumps(rows, option=orjson.OPT_SERIALIZE_NUMPY)
    assert bytes(export._dumps_array(export.income_chunks(result, size=size))) == whole
    assert export.income(result) == rows


def test_income_of_no_rows_is_an_empty_list(result):
    nothing = export.Scope(report="ingen sådan rapport")
    assert list(export.income_chunks(result, nothing, size=3)) == []
    assert bytes(export._dumps_array(export.income_chunks(result, nothing))) == b"[]"
