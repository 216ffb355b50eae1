"""The PIN lockout kept in the data dir: read back after a restart, calm about a missing or damaged file."""

import json
import logging

import pytest

from kiosk.screens.pin_lockout import FREE_TRIES, LOCK_AFTER, LOCKED_MS, WAIT_AFTER_WRONG_MS, PinLockout


class Clock:
    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_the_wait_runs_on_between_runs_but_never_grows(tmp_path):
    path, clock = tmp_path / "pin_lockout.json", Clock()
    first = PinLockout(path, clock)
    for _ in range(LOCK_AFTER):
        first.wrong()
    assert first.wait_ms == LOCKED_MS
    clock.now += 60
    assert PinLockout(path, clock).wait_ms == LOCKED_MS - 60_000, "the minute the kiosk was off counts"
    clock.now = 0.0  # the clock fell back to 1970: the lock is not stretched to decades
    assert PinLockout(path, clock).wait_ms == LOCKED_MS
    clock.now = 1_800_000_000.0 + 3600
    later = PinLockout(path, clock)
    assert not later.locked and later.wrong_in_a_row == FREE_TRIES
    later.wrong()
    assert later.wait_ms == WAIT_AFTER_WRONG_MS, "after a lock, each wrong PIN waits again"


def test_a_missing_file_is_a_fresh_start(tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        lockout = PinLockout(tmp_path / "none" / "pin_lockout.json")
    assert lockout.wrong_in_a_row == 0 and not lockout.locked and not caplog.text


@pytest.mark.parametrize(
    "content",
    [
        b"{",
        b"[]",
        b"\x00\xff",
        b'{"wrong_in_a_row": -1, "wait_ms": 0, "saved_at": 0}',
        b'{"wrong_in_a_row": true, "wait_ms": 0, "saved_at": 0}',
        b'{"wrong_in_a_row": 0, "wait_ms": NaN, "saved_at": 0}',
        b"[" * 100_000,
        b" " * 10_000,
    ],
)
def test_a_damaged_file_gives_no_free_tries_and_no_lock(tmp_path, caplog, content):
    path = tmp_path / "pin_lockout.json"
    path.write_bytes(content)
    lockout = PinLockout(path)
    assert lockout.wrong_in_a_row == FREE_TRIES and not lockout.locked
    assert "cannot be read" in caplog.text
    lockout.wrong()  # and the next wrong PIN writes a good file again
    assert json.loads(path.read_text())["wrong_in_a_row"] == FREE_TRIES + 1


def test_an_unwritable_data_dir_is_logged_once_and_counted_in_memory(tmp_path, caplog):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    lockout = PinLockout(blocked / "pin_lockout.json")
    for _ in range(FREE_TRIES + 1):
        lockout.wrong()
    assert lockout.wrong_in_a_row == FREE_TRIES + 1 and lockout.locked
    assert caplog.text.count("cannot keep the count") == 1
