"""FeedbackStore: append and read back, the cap drops the oldest, a damaged record is skipped with a
warning, and a full or read-only disk is logged while the kiosk carries on."""
import errno
import itertools
import json

import numpy as np
import pytest

from kiosk import atomic_write
from kiosk.teaching import feedback_store
from kiosk.teaching.feedback_store import FeedbackStore

STROKES = [[(10.0, 20.0), (30.5, 40.25)], [(5.0, 5.0)]]
_drawings = itertools.count(1)  # 0 would be STROKES itself


def add(store, label=7, answer=1, strokes=None):
    """Save a labelled drawing: a new one each time unless strokes are given (one drawing counts once)."""
    image = np.arange(784, dtype=np.uint8).reshape(28, 28)
    strokes = strokes or [[(10.0, 20.0), (30.5, 40.25)], [(5.0, 5.0 + next(_drawings))]]
    return store.append(strokes, 384, image, label, answer, "cnn", "abc123")


def a_drawing(i):
    return [[(0, 0), (1, 1 + i)]]


def test_append_then_load_gives_back_what_was_saved(tmp_path):
    store = FeedbackStore(tmp_path / "feedback")
    assert add(store, 7, 1, STROKES) and add(store, 3, None)
    records = FeedbackStore(tmp_path / "feedback").load()
    assert [(r.label, r.answer) for r in records] == [(7, 1), (3, None)]
    first = records[0]
    assert first.strokes == [[(10.0, 20.0), (30.5, 40.2)], [(5.0, 5.0)]] and first.canvas_px == 384
    assert first.image.shape == (28, 28) and first.image[27, 27] == 783 % 256
    assert (first.model, first.model_version) == ("cnn", "abc123") and first.created.endswith("+00:00")
    saved = json.loads(next((tmp_path / "feedback").iterdir()).read_text())
    assert set(saved) == {"format", "created", "label", "answer", "model", "model_version", "preprocessing_version",
                          "canvas_px", "strokes", "image"}, "nothing else (nothing personal) is kept"


def test_a_given_time_is_kept_so_a_simulation_holds_out_the_same_drawings(tmp_path):
    import datetime as dt

    from kiosk.retraining.nightly import holdout_mask

    when = dt.datetime(2026, 1, 1, 0, 0, 7, tzinfo=dt.timezone.utc)
    for folder in ("a", "b"):
        store = FeedbackStore(tmp_path / folder)
        for label in range(10):
            store.append(a_drawing(label), 384, np.zeros((28, 28), np.uint8), label, None, "cnn", "v", created=when)
    a, b = FeedbackStore(tmp_path / "a").load(), FeedbackStore(tmp_path / "b").load()
    assert a[0].created == "2026-01-01T00:00:07.000+00:00"
    assert holdout_mask(a, 0.5).tolist() == holdout_mask(b, 0.5).tolist()


def test_the_cap_drops_the_oldest_first(tmp_path):
    store = FeedbackStore(tmp_path, max_records=10)
    for i in range(13):
        add(store, label=i % 10)
    records = store.load()
    assert store.count() == len(records) == 10
    assert [r.label for r in records] == [3, 4, 5, 6, 7, 8, 9, 0, 1, 2]


def test_a_damaged_record_is_skipped_with_a_warning(tmp_path, caplog):
    store = FeedbackStore(tmp_path)
    add(store, 1)
    add(store, 2)
    first, second = sorted(tmp_path.iterdir())
    first.write_text(first.read_text()[:50])  # cut short, as by a bad SD card
    (tmp_path / "99999999T999999999999-1-4.json").write_text(json.dumps({"format": 1, "label": 4, "image": "!!"}))
    assert [r.label for r in store.load()] == [2]
    assert caplog.text.count("skipping damaged feedback record") == 2


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_full_or_read_only_disk_is_logged_and_nothing_breaks(tmp_path, monkeypatch, caplog, code):
    store = FeedbackStore(tmp_path)
    assert add(store, 5)

    def refuse(path, data):
        raise OSError(code, "injected")

    monkeypatch.setattr(feedback_store, "write_text_atomic", refuse)
    assert add(store, 6) is False
    assert "cannot save the labelled drawing" in caplog.text
    assert [r.label for r in store.load()] == [5] and store.count() == 1


def test_a_full_disk_leaves_no_partial_file(tmp_path, monkeypatch):
    store = FeedbackStore(tmp_path)
    real_write = atomic_write.os.fdopen

    class FullDisk:
        def __init__(self, fd, mode):
            self.file = real_write(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.file, name)

    monkeypatch.setattr(atomic_write.os, "fdopen", FullDisk)
    assert add(store) is False
    assert list(tmp_path.iterdir()) == [], "no half-written record or temp file is left behind"


def test_a_missing_folder_is_an_empty_store(tmp_path):
    store = FeedbackStore(tmp_path / "not-yet")
    assert store.count() == 0 and store.load() == []
    with pytest.raises(ValueError):
        add(store, label=12)


class _Clock:
    """datetime.datetime, but whatever time the test says (a Pi with no real-time clock)."""

    def __init__(self, start):
        self.now_value = start

    def now(self, tz=None):
        return self.now_value


def test_record_order_survives_the_clock_going_back(tmp_path, monkeypatch):
    import datetime as dt

    import kiosk.teaching.feedback_store as feedback_store

    later = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    clock = _Clock(later)
    monkeypatch.setattr(feedback_store.dt, "datetime", clock)
    store = FeedbackStore(tmp_path, max_records=10)
    for i in range(10):
        assert store.append(a_drawing(i), 300, np.zeros((28, 28), np.uint8), i % 10, None, "cnn", "v")
    clock.now_value = epoch  # booted without network time
    for label in (1, 2, 3, 4, 5):
        assert store.append(a_drawing(10 + label), 300, np.zeros((28, 28), np.uint8), label, None, "cnn", "v")
    labels = [r.label for r in FeedbackStore(tmp_path).load()]
    assert len(labels) == 10 and labels[-5:] == [1, 2, 3, 4, 5], "the newest drawings are kept, the oldest went"


def test_older_time_named_records_go_first(tmp_path):
    legacy = tmp_path / "20261124T070000000000-1-7.json"  # as the kiosk named them before
    store = FeedbackStore(tmp_path, max_records=2)
    store.append([[(0, 0), (1, 1)]], 300, np.zeros((28, 28), np.uint8), 1, None, "cnn", "v")
    legacy.write_text(next(tmp_path.glob("s*.json")).read_text().replace('"label":1', '"label":7'))
    store = FeedbackStore(tmp_path, max_records=2)
    store.append(a_drawing(2), 300, np.zeros((28, 28), np.uint8), 2, None, "cnn", "v")
    store.append(a_drawing(3), 300, np.zeros((28, 28), np.uint8), 3, None, "cnn", "v")
    assert [r.label for r in FeedbackStore(tmp_path).load()] == [2, 3]


@pytest.mark.parametrize("change", [
    lambda r: r["strokes"][0].__setitem__(0, [1e308, -1e308]),
    lambda r: r["strokes"][0].__setitem__(0, [float("nan"), 3]),
    lambda r: r.__setitem__("canvas_px", -5),
    lambda r: r.__setitem__("strokes", "not strokes"),
])
def test_a_record_out_of_range_is_skipped_not_fatal(tmp_path, caplog, change):
    store = FeedbackStore(tmp_path)
    add(store, label=3)
    add(store, label=4)
    path = sorted(tmp_path.glob("*.json"))[0]
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))
    assert [r.label for r in FeedbackStore(tmp_path).load()] == [4]
    assert "skipping damaged feedback record" in caplog.text


def test_the_same_drawing_labelled_again_replaces_its_label(tmp_path):
    # Go -> No -> 7 pressed again on one drawing: one record, the newest label, never a copy each time
    store = FeedbackStore(tmp_path)
    add(store, label=2)
    for label in (7, 7, 7, 1, 7, 7, 7, 7):
        assert add(store, label=label, strokes=STROKES)
    add(store, label=4)
    assert [r.label for r in FeedbackStore(tmp_path).load()] == [2, 7, 4]
    assert store.count() == 3 and len(list(tmp_path.glob("*.json"))) == 3


def test_copies_left_by_a_kill_or_an_older_kiosk_count_once(tmp_path):
    # a kill between saving the new label and removing the old one, or files saved before this rule
    store = FeedbackStore(tmp_path)
    for label in (7, 3, 7):
        add(store, label=label, strokes=STROKES)
        store = FeedbackStore(tmp_path)  # a restart: this store never saw the earlier copy
    records = FeedbackStore(tmp_path).load()
    assert [r.label for r in records] == [7] and records[0].drawing == feedback_store.drawing_id(STROKES)


def tamper(tmp_path, change):
    """Two good records (labels 3 and 4), the first changed by change(record) -> the file's new text."""
    store = FeedbackStore(tmp_path)
    add(store, label=3)
    add(store, label=4)
    path = sorted(tmp_path.glob("*.json"))[0]
    path.write_text(change(json.loads(path.read_text())))
    return path


@pytest.mark.parametrize("change", [
    lambda r: "[" * 100_000 + "]" * 100_000,  # used to raise RecursionError and stop every nightly retrain
    lambda r: json.dumps({**r, "strokes": [[[[[[1, 2]]]]]]}),
    lambda r: json.dumps({**r, "model": "x" * (2 * feedback_store.MAX_RECORD_BYTES)}),
], ids=["100,000 brackets", "nested too deep", "too big"])
def test_a_record_past_the_size_or_nesting_limits_is_skipped_and_counted(tmp_path, caplog, change):
    tamper(tmp_path, change)
    loaded = FeedbackStore(tmp_path).read()
    assert [r.label for r in loaded.records] == [4] and loaded.skipped == 1
    assert "skipping damaged feedback record" in caplog.text


@pytest.mark.parametrize("field, value", [
    ("label", 3.7), ("label", "7"), ("label", True), ("label", 10), ("label", -1), ("label", None),
    ("answer", 3.7), ("answer", "7"), ("answer", True), ("answer", 12),
    ("canvas_px", 384.5), ("canvas_px", "384"), ("canvas_px", True),
    ("format", True), ("format", 1.0), ("created", 5), ("model", ["cnn"]),
])
def test_a_label_or_number_of_the_wrong_type_is_skipped(tmp_path, field, value):
    tamper(tmp_path, lambda r: json.dumps({**r, field: value}))
    loaded = FeedbackStore(tmp_path).read()
    assert [r.label for r in loaded.records] == [4] and loaded.skipped == 1


@pytest.mark.parametrize("point", [["5", 6], [True, 6], [5, None], [5, 6, 7]])
def test_a_coordinate_that_is_not_a_number_is_skipped(tmp_path, point):
    tamper(tmp_path, lambda r: json.dumps({**r, "strokes": [[point, [10, 12]]]}))
    assert [r.label for r in FeedbackStore(tmp_path).load()] == [4]


@pytest.mark.parametrize("label", [3.7, "7", True, np.float32(2.0)])
def test_only_a_whole_digit_is_saved_as_a_label(tmp_path, label):
    with pytest.raises(ValueError):
        add(FeedbackStore(tmp_path), label=label)
    assert add(FeedbackStore(tmp_path), label=np.int64(7)), "a numpy integer is a whole digit"


def test_a_drawing_too_big_for_the_reader_is_not_saved(tmp_path, caplog):
    store = FeedbackStore(tmp_path)
    stuck = [[(float(i % 300), float(i % 200)) for i in range(20_000)] for _ in range(10)]  # a stuck finger
    assert not store.append(stuck, 384, np.zeros((28, 28), np.uint8), 1, None, "cnn", "v")
    assert store.count() == 0 and "too big" in caplog.text


def test_a_save_at_the_cap_lists_no_folder(tmp_path, monkeypatch):
    """At the cap every save used to list and sort the whole folder (19.6 ms median at 5,000 records, 0.6 ms
    below it): the store lists it once after a start and keeps its index in memory."""
    import pathlib

    image = np.zeros((28, 28), np.uint8)
    filling = FeedbackStore(tmp_path, max_records=40)
    for k in range(40):
        assert filling.append([[(k, 0.0), (k, 9.0)]], 300, image, k % 10, None, "cnn", "v")
    store = FeedbackStore(tmp_path, max_records=40)  # a kiosk started again, at the cap
    assert store.append([[(100.0, 0.0), (100.0, 9.0)]], 300, image, 1, None, "cnn", "v")
    listings = []
    real_iterdir, real_scandir = pathlib.Path.iterdir, feedback_store.os.scandir
    monkeypatch.setattr(pathlib.Path, "iterdir", lambda self: listings.append(self) or real_iterdir(self))
    monkeypatch.setattr(feedback_store.os, "scandir", lambda *a: listings.append(a) or real_scandir(*a))
    for k in range(20):
        assert store.append([[(200.0 + k, 0.0), (200.0, 9.0)]], 300, image, 2, None, "cnn", "v")
    assert listings == [] and store.count() == 40
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.glob("*.json"))[0].startswith("s0000000022-"), "the oldest went"
    assert len(FeedbackStore(tmp_path).load()) == 40
