"""EventLog: JSON lines with the kiosk's clock; a file it cannot open is a KioskError that says what to do."""
import json

import pytest

from kiosk.errors import KioskError
from kiosk.event_log import EventLog


def test_events_are_json_lines_with_the_clock(tmp_path):
    log = EventLog(tmp_path / "events.jsonl", clock=lambda: 1.23456)
    log.write(type="recognized", digit=7)
    log.close()
    assert [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()] == [
        {"t": 1.235, "type": "recognized", "digit": 7}]


def test_no_path_writes_nothing():
    log = EventLog(None)
    log.write(type="speech")
    log.close()


@pytest.mark.parametrize("make", [lambda p: p / "missing" / "out.jsonl", lambda p: p])
def test_a_file_it_cannot_open_is_a_kiosk_error_naming_it(tmp_path, make):
    path = make(tmp_path)  # a folder that does not exist, or a folder where the file should be
    with pytest.raises(KioskError) as raised:
        EventLog(path)
    message = str(raised.value)
    assert str(path) in message and "--events-out" in message
    assert not isinstance(raised.value, OSError)
