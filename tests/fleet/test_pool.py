"""The hub's pool: every kiosk's records in one order, a prank on one kiosk set aside before pooling."""

import datetime as dt

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.config import KioskConfig
from kiosk.fleet.paths import FleetPaths
from kiosk.fleet.pool import make_pool, sources
from kiosk.learning import drawn_digits
from kiosk.retraining.judging import probabilities
from kiosk.retraining.nightly import images_of
from kiosk.teaching.feedback_store import FeedbackStore, read_record

MLP = str(PROJECT_ROOT / "exported_models" / "mlp.onnx")
EPOCH = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def fill(folder, drawn, picks, labels=None, start_s=0, step_s=10):
    store = FeedbackStore(folder)
    for k, i in enumerate(picks):
        label = int(drawn.labels[i]) if labels is None else labels
        store.append(drawn.strokes[i], 300, np.zeros((28, 28), np.uint8), label, None, "mlp", "v",
                     created=EPOCH + dt.timedelta(seconds=start_s + k * step_s))


@pytest.mark.slow  # preprocesses and scores 40 drawings with the shipped model
def test_a_prank_on_one_kiosk_is_set_aside_and_the_pool_keeps_every_kiosks_order(tmp_path, drawn_dir):
    config = KioskConfig(data_dir=str(tmp_path / "hub"), fleet_role="hub", fleet_name="office")
    drawn = drawn_digits.load(drawn_dir)
    ones = np.flatnonzero(drawn.labels == 1)[:60]
    records = FeedbackStore(tmp_path / "probe")
    fill(tmp_path / "probe", drawn, ones)
    sure = probabilities(MLP, images_of(records.load())[0])[:, 1] > 0.99
    clear_ones = ones[sure][:7]
    assert len(clear_ones) == 7
    others = np.flatnonzero(drawn.labels != 1)[:30]
    kiosks = FleetPaths.of(config).kiosks
    fill(kiosks / "hall-a" / "drawings", drawn, others[:15], start_s=0)  # every 10 s from 0
    fill(kiosks / "hall-b" / "drawings", drawn, others[15:], start_s=5)  # every 10 s from 5
    fill(kiosks / "hall-b" / "drawings", drawn, clear_ones, labels=7, start_s=1000)  # "these 1s are 7s"

    per_kiosk = make_pool(config, tmp_path / "pool", MLP)

    assert [name for name, _ in sources(config)] == ["office", "hall-a", "hall-b"]
    assert per_kiosk["hall-b"]["drawings"] == 22 and per_kiosk["hall-b"]["doubted_here"] >= 7
    assert per_kiosk["hall-a"]["doubted_here"] <= 3 and per_kiosk["office"]["drawings"] == 0  # honest: rarely
    pooled = sorted((tmp_path / "pool").glob("*.json"))
    assert len(pooled) == 37 - per_kiosk["hall-a"]["doubted_here"] - per_kiosk["hall-b"]["doubted_here"]
    kept = [read_record(p) for p in pooled]
    assert not any(r.label == 7 and r.drawing in {k.drawing for k in FeedbackStore(tmp_path / "probe").load()}
                   for r in kept), "the prank's drawings are not in the pool"
    times = [r.created for r in kept]
    assert times == sorted(times), "kiosks interleaved by time"
    assert [p.name.split("-")[1] for p in pooled[:4]] == ["hall", "hall", "hall", "hall"]
    assert {p.name.split("-", 1)[1][:6] for p in pooled} == {"hall-a", "hall-b"}


def test_a_pool_is_made_afresh_each_night(tmp_path):
    config = KioskConfig(data_dir=str(tmp_path / "hub"), fleet_role="hub")
    (tmp_path / "pool").mkdir()
    (tmp_path / "pool" / "s0000000001-gone-s1.json").write_text("{}")
    assert make_pool(config, tmp_path / "pool", MLP) == {config.fleet_name or sources(config)[0][0]: {
        "drawings": 0, "doubted_here": 0, "skipped": 0}}
    assert list((tmp_path / "pool").iterdir()) == []
