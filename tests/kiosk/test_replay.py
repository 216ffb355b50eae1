import pytest

from kiosk import replay
from kiosk.errors import KioskError


def test_round_trip_and_time_order(tmp_path):
    events = [replay.ReplayEvent(0.5, "up", 0.5, 0.5), replay.ReplayEvent(0.1, "down", 0.25, 0.75)]
    path = tmp_path / "r.jsonl"
    path.write_text(replay.dump(events) + "\n")
    assert replay.load(path) == sorted(events, key=lambda e: e.t)


@pytest.mark.parametrize(
    "line",
    [
        '{"t": 0, "type": "jump"}',
        '{"type": "down"}',
        "not json",
        '{"t": "NaN", "type": "down", "x": 0, "y": 0}',
        "[1, 2]",
    ],
)
def test_bad_lines_are_refused_naming_file_and_line(tmp_path, line):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"t": 0, "type": "clear"}\n' + line + "\n")
    with pytest.raises(KioskError, match=r"bad.jsonl:2"):
        replay.load(path)


def test_from_strokes_draws_then_recognizes_then_clears():
    events = replay.from_strokes([[(0, 0), (45, 90)]], canvas_size=90.0)
    assert [e.type for e in events] == ["down", "move", "up", "recognize", "clear"]
    assert (events[1].x, events[1].y) == (0.5, 1.0)
