"""Reading many files in worker processes (issue 8): results in file order, taken in
parts, and a file whose reading kills its process reported, the others still read."""

from __future__ import annotations

import os

from consolidate.readers.files import Reading
from consolidate.runtime.pool import PARALLEL_MIN_CALLS as PARALLEL_MIN_FILES


def _reader(path, display):
    if path.name.startswith("dies"):
        os._exit(9)  # as a reader that aborts, or a process the system kills
    return path.name, []


def _paths(tmp_path, dying: list[int]):
    paths = [tmp_path / f"u{k:03d}.xlsx" for k in range(PARALLEL_MIN_FILES + 20)]
    for k in dying:
        paths[k] = tmp_path / f"dies{k}.xlsx"
    return paths


def test_results_come_in_file_order_taken_in_parts(tmp_path):
    paths = _paths(tmp_path, [])
    reading = Reading([(_reader, p, ()) for p in paths])
    first = reading.take(25)
    sources = first + reading.results()
    assert [s.path for s in sources] == paths and [s.rows for s in sources] == [p.name for p in paths]


def test_a_file_that_kills_its_reader_is_reported_and_the_others_are_read(tmp_path):
    paths = _paths(tmp_path, [10, 40, 41])
    reading = Reading([(_reader, p, ()) for p in paths])
    sources = reading.take(30) + reading.results()
    assert [s.path for s in sources] == paths
    for source in sources:
        if source.path.name.startswith("dies"):
            assert source.rows is None and "avbrytas" in source.problems[0].message
            assert source.problems[0].file == source.display
        else:
            assert source.rows == source.path.name and source.problems == []
