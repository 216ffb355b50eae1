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


def test_the_childs_answers_to_the_question_round_trip(tmp_path):
    events = [replay.ReplayEvent(1.0, "teach", digit=7), replay.ReplayEvent(2.0, "yes")]
    path = tmp_path / "r.jsonl"
    path.write_text(replay.dump(events))
    assert path.read_text().splitlines()[0] == '{"t": 1.0, "type": "teach", "digit": 7}'
    assert replay.load(path) == events


@pytest.mark.parametrize("digit", ['"7"', "3.7", "7.0", "true", "10", "-1", "null"])
def test_a_teach_event_needs_a_digit_0_to_9(tmp_path, digit):
    path = tmp_path / "bad.jsonl"
    path.write_text(f'{{"t": 0, "type": "teach", "digit": {digit}}}\n')
    with pytest.raises(KioskError, match=r"bad.jsonl:1"):
        replay.load(path)


def test_teach_and_yes_take_the_path_of_a_finger_through_the_question(tmp_path):
    import json

    import pygame

    from kiosk.app import App, LaunchOptions
    from kiosk.config import KioskConfig

    one = [[(0.5, 0.1 + 0.8 * i / 20) for i in range(21)]]
    first = replay.from_strokes(one, canvas_size=1.0)[:-1]  # draw a 1, Go (no clear)
    t = first[-1].t
    second = replay.from_strokes(one, canvas_size=1.0, start_s=t + 4)[:-1]
    script = first + [replay.ReplayEvent(t + 1, "teach", digit=7), replay.ReplayEvent(t + 3, "clear")] + second
    script.append(replay.ReplayEvent(second[-1].t + 1, "yes"))
    out = tmp_path / "events.jsonl"
    config = KioskConfig(data_dir=str(tmp_path / "data"), log_dir=str(tmp_path / "logs"))
    app = App(config, LaunchOptions(headless=True, size=(800, 480), replay=script, events_out=str(out)))
    try:
        for _ in range(int((script[-1].t + 1) * 1000 / 20)):
            app.frame(20)
    finally:
        app.events.close()
        app.speaker.close()
        pygame.display.quit()
    records = [json.loads(line) for line in out.read_text().splitlines()]
    feedback = [(r["label"], r["answer"]) for r in records if r["type"] == "feedback"]
    recognized = [(r["digit"], r["remembered"]) for r in records if r["type"] == "recognized"]
    assert recognized[0][1] is False and recognized[0][0] != 7
    assert all(r["mirrored"] is False for r in records if r["type"] == "recognized"), "a 1 is no backwards digit"
    assert feedback[0] == (7, recognized[0][0]), "No, then 7 on the keypad: taught"
    assert recognized[-1] == (7, True), "the same child's next 1 gets the lesson"
    assert feedback[-1] == (7, 7), "and Yes confirms it"
