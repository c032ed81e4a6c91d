"""Work done in a forked copy of the process (issue 8): the same bytes as doing it
here, and done here instead when the copy cannot deliver."""

from __future__ import annotations

import os

from consolidate.runtime.forked import beside, beside_each


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


def test_several_pieces_come_back_each_as_made_in_one_copy():
    pieces = [lambda: b"", lambda: bytes(range(256)) * 300, lambda: str(os.getpid()).encode()]
    made = beside_each(pieces, capacity=256 * 300 + 64)
    first, second, third = (bytes(get()) for get in made)
    assert (first, second) == (b"", bytes(range(256)) * 300)
    assert third != str(os.getpid()).encode()  # made in the copy


def test_pieces_beyond_the_room_are_all_made_here():
    here = str(os.getpid()).encode()
    made = beside_each([lambda: b"x" * 40, lambda: str(os.getpid()).encode() * 10], capacity=48)
    assert [bytes(get()) for get in made] == [b"x" * 40, here * 10]


def test_a_piece_that_fails_in_the_copy_fails_here_and_the_others_are_made():
    def bad() -> bytes:
        raise ValueError("bad")

    made = beside_each([lambda: b"one", bad], capacity=64)
    assert bytes(made[0]()) == b"one"
    try:
        made[1]()
    except ValueError:
        pass
    else:
        raise AssertionError("the failure was lost")
