"""A hub and three kiosks on one machine, each its own Syncthing on loopback, for real: labels from kiosk A
reach the hub, the pooled retrain promotes, every kiosk verifies and swaps; a model signed by another key, or
unsigned, is refused by all; a kiosk off for the night catches up; a full disk on one kiosk stops no other.
The figures (time from a label on A to the model running on C, bytes, Syncthing's memory and CPU) are printed
and, with FLEET_FIGURES=path, written as JSON (docs/fleet.md quotes a run)."""

import json
import logging
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from kiosk import replay
from kiosk.fleet import hub as fleet_hub
from kiosk.fleet.command import sync_once
from kiosk.fleet.paths import FleetPaths
from kiosk.fleet.signing import load_key, new_key, publish, sign
from kiosk.fleet.syncthing import MODELS_FOLDER, pair_member, set_up_hub, set_up_member
from kiosk.learning import drawn_digits
from kiosk.recognition.model_files import ModelWatcher, load_recognizers
from kiosk.retraining.nightly import RetrainOptions
from kiosk.teaching.feedback_store import FeedbackStore
from loopback import Node, syncthing_available, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not syncthing_available() and not os.environ.get("CI"),
                                                   reason="syncthing is not installed (apt-get install syncthing)")]
WATCH_S = 1  # Syncthing's file-watcher delay here (10 s on a kiosk: nobody waits for a night's files)
CANVAS_PX = 450  # the drawn digits are 300 px, placed with a quarter of that around them
KIOSK_A_DRAWINGS = 16


def label(node, drawn, picks):
    """Labels saved through the feedback store, as the kiosk saves them (B's children: quicker than a replay)."""
    store = FeedbackStore(node.config.feedback_dir)
    for i in picks:
        digit = int(drawn.labels[i])
        store.append(drawn.strokes[i], CANVAS_PX, np.zeros((28, 28), np.uint8), digit, digit, "mlp", "shipped")


def play_on_the_kiosk(node, drawn, picks, tmp_path):
    """Children at kiosk A: the headless kiosk plays each drawing, then "No" and the true digit on the keypad
    (the teach event), as a finger would; the kiosk saves each label in its feedback store itself."""
    events, t = [], 1.0
    for i in picks:
        drawing = replay.from_strokes([s.tolist() for s in drawn.strokes[i]], CANVAS_PX, start_s=t)[:-1]
        end = drawing[-1].t
        events += drawing + [replay.ReplayEvent(end + 1, "teach", digit=int(drawn.labels[i])),
                             replay.ReplayEvent(end + 2.5, "clear")]
        t = end + 3
    script, settings = tmp_path / "a.jsonl", tmp_path / "a.toml"
    script.write_text(replay.dump(events))
    config = node.config
    settings.write_text(f'data_dir = "{config.data_dir_path}"\nlog_dir = "{config.log_dir_path}"\nmuted = true\n'
                        f'fps_active = 20\nfleet_role = "member"\nfleet_name = "{node.name}"\n'
                        f'fleet_hub_key = "{node.hub_key}"\n')
    done = subprocess.run([sys.executable, "-m", "kiosk", "--headless", "--replay", str(script), "--exit-when-done",
                           "--config", str(settings)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"})
    assert done.returncode == 0, done.stderr[-2000:]


def files_in(folder):
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


def bundle_number(node, kind="mlp"):
    path = FleetPaths.of(node.config).published / f"{kind}.signed"
    try:
        with open(path, "rb") as file:
            return json.loads(file.readline())["sequence"]
    except (OSError, ValueError, KeyError):
        return None


class Kiosk:
    """A kiosk's running models, as the kiosk's own watcher swaps them."""

    def __init__(self, node):
        self.node, self.models = node, load_recognizers(node.config)
        self.watcher = ModelWatcher(node.config, every_s=0)

    def mlp(self):
        return next(r for r in self.models if r.kind == "mlp")

    def take(self):
        """One fleet pass (verify, install), then the watcher's hot swap; the mlp version running after."""
        sync_once(self.node.config)
        self.models = self.watcher.check(self.models) or self.models
        return self.mlp().version


@pytest.fixture
def fleet(tmp_path):
    nodes = {name: Node(name, tmp_path / name, "hub" if name == "hub" else "member")
             for name in ("hub", "hall-a", "hall-b", "hall-c")}
    try:
        for node in nodes.values():
            node.start()
        yield nodes
    finally:
        for node in nodes.values():
            node.stop()


def connect(nodes):
    hub = nodes["hub"]
    public = new_key(FleetPaths.of(hub.config).signing_key)
    hub_id = set_up_hub(hub.sync, FleetPaths.of(hub.config), WATCH_S)
    for node in nodes.values():
        node.hub_key = public
    ids = {}
    for name, node in nodes.items():
        if name != "hub":
            ids[name] = set_up_member(node.sync, FleetPaths.of(node.config), hub_id, [hub.address], WATCH_S)
            pair_member(hub.sync, FleetPaths.of(hub.config), ids[name], name, [node.address], WATCH_S)
    def all_connected():
        connections = hub.sync.call("GET", "/rest/system/connections")["connections"]
        return all(connections.get(i, {}).get("connected") for i in ids.values())

    wait_for(all_connected, 60)
    for node in nodes.values():  # nothing reaches past the LAN: no discovery servers, relays, NAT or reports
        options = node.sync.call("GET", "/rest/config/options")
        assert not (options["globalAnnounceEnabled"] or options["relaysEnabled"] or options["natEnabled"])
        assert options["urAccepted"] == -1 and not options["crashReportingEnabled"]
    return ids


def test_four_kiosks_learn_together_over_syncthing(fleet, drawn_dir, mnist_dir, caplog, tmp_path):
    hub, a, b, c = fleet["hub"], fleet["hall-a"], fleet["hall-b"], fleet["hall-c"]
    ids = connect(fleet)
    kiosks = {name: Kiosk(node) for name, node in fleet.items()}
    shipped = kiosks["hall-a"].mlp().version
    drawn = drawn_digits.load(drawn_dir)
    order = np.random.default_rng(0).permutation(len(drawn.labels))
    bytes_before = {n: fleet[n].bytes_moved() for n in ("hall-a", "hall-b", "hall-c")}

    # Children label on A (through the headless kiosk) and B; the outboxes reach the hub.
    label(b, drawn, order[40:60])
    play_on_the_kiosk(a, drawn, order[:KIOSK_A_DRAWINGS], tmp_path)
    labelled_at = time.monotonic()
    on_a = files_in(a.config.feedback_dir)
    assert on_a >= KIOSK_A_DRAWINGS - 2, "the kiosk kept the children's labels (a repeated drawing counts once)"
    sync_once(a.config), sync_once(b.config)
    inbox = FleetPaths.of(hub.config).kiosks
    wait_for(lambda: files_in(inbox / "hall-a" / "drawings") == on_a and files_in(inbox / "hall-b" / "drawings") == 20)
    arrived_s = time.monotonic() - labelled_at
    assert json.loads((inbox / "hall-a" / "health.json").read_text())["drawings"]["total"] == on_a

    # B's disk is full (Syncthing's own guard: it stops pulling below the free space it must keep).
    b.sync.call("PATCH", f"/rest/config/folders/{MODELS_FOLDER}", {"minDiskFree": {"value": 99.99, "unit": "%"}})

    # The night: the pooled retrain promotes, and the hub publishes the model, signed.
    night_started = time.monotonic()
    entry = fleet_hub.night(hub.config, RetrainOptions(kind="mlp", steps=20, nice=0, threads=1), str(mnist_dir),
                            use_drawn=False)
    retrain_s = time.monotonic() - night_started
    assert entry["promoted"], entry.get("reasons")
    assert entry["kiosks"]["hall-a"]["drawings"] == on_a and entry["kiosks"]["hall-b"]["drawings"] == 20
    promoted = kiosks["hub"].take()
    assert promoted != shipped
    wait_for(lambda: bundle_number(c) == 1 and bundle_number(a) == 1)
    assert wait_for(lambda: kiosks["hall-c"].take() == promoted)
    a_to_c_s = time.monotonic() - labelled_at
    assert kiosks["hall-a"].take() == promoted
    time.sleep(2 * WATCH_S + 1)
    assert bundle_number(b) is None and kiosks["hall-b"].take() == shipped, "B's full disk took nothing"
    night_bytes = {n: fleet[n].bytes_moved() - bytes_before[n] for n in bytes_before}

    # C is off for the night; the hub rolls the fleet back; A takes it, C catches up when it is back.
    c.stop()
    assert "published as number 2" in fleet_hub.rollback(hub.config, "mlp")
    wait_for(lambda: bundle_number(a) == 2)
    assert kiosks["hall-a"].take() == shipped
    c.start()
    wait_for(lambda: bundle_number(c) == 2, 60)
    assert kiosks["hall-c"].take() == shipped
    # B's disk is freed: it catches up too.
    b.sync.call("PATCH", f"/rest/config/folders/{MODELS_FOLDER}", {"minDiskFree": {"value": 1, "unit": "%"}})
    wait_for(lambda: bundle_number(b) == 2, 60)
    assert kiosks["hall-b"].take() == shipped

    # A model signed by another key, and an unsigned one, reach every kiosk and are refused by all.
    stranger = hub.root / "stranger.key"
    new_key(stranger)
    published = FleetPaths.of(hub.config).published
    shipped_dir = hub.config.model_dir_path
    publish(published, sign((shipped_dir / "mlp128.onnx").read_bytes(), "mlp", 50, load_key(stranger)), "mlp")
    publish(published, (shipped_dir / "cnn.onnx").read_bytes(), "cnn")  # a bare model: no signature
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        for name in ("hall-a", "hall-b", "hall-c"):
            wait_for(lambda: bundle_number(fleet[name]) == 50, 60)
            wait_for(lambda: (FleetPaths.of(fleet[name].config).published / "cnn.signed").exists(), 60)
            assert kiosks[name].take() == shipped
    refusals = [r.getMessage() for r in caplog.records if "refused the fleet's" in r.getMessage()]
    assert sum("not the hub's" in m for m in refusals) == 3 and sum("unsigned" in m for m in refusals) == 3

    figures = {"label_on_a_to_model_on_c_s": round(a_to_c_s, 1), "outbox_to_hub_s": round(arrived_s, 1),
               "retrain_s": round(retrain_s, 1), "bytes_first_night": night_bytes, "drawings": {"a": on_a, "b": 20},
               "syncthing_on_a": a.usage(), "syncthing_on_hub": hub.usage(), "device_ids": len(ids)}
    print(json.dumps(figures, indent=1))
    if os.environ.get("FLEET_FIGURES"):
        with open(os.environ["FLEET_FIGURES"], "w") as file:
            json.dump(figures, file, indent=1)

