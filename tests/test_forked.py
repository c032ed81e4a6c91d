"""Work done in a forked copy of the process (issue 8): the same bytes as doing it
here, and done here instead when the copy cannot deliver."""

from __future__ import annotations

import os

from consolidate.runtime.forked import beside


def test_bytes_come_back_from_the_copy():
    data = bytes(range(256)) * 1000
    assert bytes(beside(lambda: data, capacity=len(data))()) == data


def test_work_is_done_in_a_copy():
    here = os.getpid()
    assert bytes(beside(lambda: str(os.getpid()).encode(), capacity=64)()) != str(here).encode()


def test_too_much_for_the_room_is_done_here():
    here = os.getpid()
    result = beside(lambda: str(os.getpid()).encode() * 100, capacity=8)()
    assert bytes(result) == str(here).encode() * 100


def test_a_failure_in_the_copy_is_raised_here(capfd):
    calls = []

    def work() -> bytes:
        calls.append(os.getpid())
        raise ValueError("bad")

    pending = beside(work, capacity=64)
    try:
        pending()
    except ValueError:
        pass
    else:
        raise AssertionError("the failure was lost")
    assert calls == [os.getpid()]  # the copy's attempt is not in this process's list
    assert "Traceback" not in capfd.readouterr().err
