"""Live training: a child's settings, a network learning in front of them, off the kiosk's render loop.

The learning runs in its own process (niced, one BLAS thread, only numpy and onnx loaded), so the
kiosk keeps its frame rate and answers touches: numpy holds the GIL between its calls, and a thread
would stutter the screen. The process sends progress several times a second (accuracy on digits it never trained on,
a strip of ten test digits right or wrong, its answer to the child's own drawing) and, at the end,
the model as an ONNX file that passes the kiosk's model contract (parity-checked with onnxruntime).
It stops at once when asked, and on any error it says why in one message instead of dying silently.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from kiosk.recognition import model_contract as contract

log = logging.getLogger(__name__)

# The choices a child has, with "about right" in the middle of each: every one of them teaches something
# within the time a child waits (measured in the README: too big a step never learns, too small crawls).
DROPOUT_CHOICES = (0.0, 0.2, 0.5, 0.8)
LEARNING_RATE_CHOICES = (0.00001, 0.0001, 0.001, 0.01, 1.0)
EPOCH_CHOICES = (1, 2, 5, 10, 20)
ABOUT_RIGHT = {"dropout_rate": 0.2, "learning_rate": 0.001, "max_epochs": 10}
MLP_HIDDEN = 256
CNN_CHANNELS, CNN_FC = (8, 16, 32), 64  # small enough to reach 97% in about 20 s on one core here
BATCH = 32
REPORT_EVERY_S = 0.15
CURVE_IMAGES = 300  # of the 1,000 held out: scored at every report (all 1,000 at the end)
STRIP = 10  # test digits shown turning right or wrong, one of each digit
PARITY_IMAGES = 50  # held-out digits onnxruntime must answer like the learner on before the model is used


@dataclass(frozen=True)
class LiveSettings:
    kind: str = "mlp"
    dropout_rate: float = ABOUT_RIGHT["dropout_rate"]
    learning_rate: float = ABOUT_RIGHT["learning_rate"]
    max_epochs: int = ABOUT_RIGHT["max_epochs"]
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("mlp", "cnn") or not 0.0 <= self.dropout_rate < 1.0 or not 0 < self.learning_rate <= 10 \
                or not 1 <= self.max_epochs <= 100:
            raise ValueError(f"not live-training settings: {self}")


class LiveTraining:
    """One training run in a child process; poll() for its messages, stop() to end it at once.

    The child is `python -m kiosk.learning.live` with only numpy and onnx in it (about 60 MB, not a
    copy of the kiosk); it speaks JSON lines on stdout and writes the model into `folder`."""

    def __init__(self, settings: LiveSettings, child_image: np.ndarray | None = None, data_path: Path | None = None,
                 folder: Path | None = None):
        self.settings, self.child_image, self.data_path = settings, child_image, data_path
        self.folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="kiosk-live-"))
        self._messages: queue.Queue = queue.Queue()
        self._process: subprocess.Popen | None = None
        self.finished = False

    def start(self) -> "LiveTraining":
        from kiosk.recognition.preprocess import PREPROCESSING_VERSION  # here, not in the learner: OpenCV stays out of it

        self.folder.mkdir(parents=True, exist_ok=True)
        job = {"preprocessing_version": PREPROCESSING_VERSION, "settings": asdict(self.settings), "data_path": str(self.data_path) if self.data_path else None,
               "model_path": str(self.folder / "live.onnx"),
               "child_image": self.child_image.astype(np.uint8).tolist() if self.child_image is not None else None}
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # one core: the kiosk keeps the other
        self._process = subprocess.Popen([sys.executable, "-m", "kiosk.learning.live"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                                         preexec_fn=lambda: os.nice(10))  # the kiosk's own loop comes first
        self._process.stdin.write(json.dumps(job) + "\n")
        self._process.stdin.flush()
        threading.Thread(target=self._read, daemon=True, name="live-training-reader").start()
        return self

    def _read(self) -> None:
        for line in self._process.stdout:  # blocks in this thread only, never in the render loop
            try:
                self._messages.put(json.loads(line))
            except ValueError:
                log.debug("live training said: %s", line.rstrip())
        self._messages.put(None)  # the child's end

    def poll(self) -> list[dict]:
        """Everything the learner said since the last poll (never blocks)."""
        messages = []
        while True:
            try:
                message = self._messages.get_nowait()
            except queue.Empty:
                break
            if message is None:
                if not self.finished:  # ended without a last word: killed, out of memory
                    self.finished = True
                    tail = (self._process.stderr.read() or "").strip().splitlines()[-1:]
                    messages.append({"type": "error", "message": f"the learning stopped ({' '.join(tail) or 'no reason given'})"})
                break
            messages.append(message)
            if message["type"] in ("done", "stopped", "error"):
                self.finished = True
        return messages

    def stop(self) -> None:
        """End it now: asked on stdin (the learner checks every step), killed if it has not gone within 0.5 s."""
        if self._process is None:
            return
        try:
            self._process.stdin.write("stop\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
        try:
            self._process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=2)
        self.finished = True

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


def main() -> int:
    """The child: the job from stdin, JSON lines to stdout; a "stop" line on stdin (or stdin closing) ends it."""
    job = json.loads(sys.stdin.readline())
    stop = threading.Event()

    def listen() -> None:
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        stop.set()  # asked to stop, or the kiosk went away: so does the learner

    threading.Thread(target=listen, daemon=True).start()

    def say(message: dict) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    try:
        child = np.array(job["child_image"], np.uint8) if job["child_image"] is not None else None
        data_path = Path(job["data_path"]) if job["data_path"] else None
        _learn(LiveSettings(**job["settings"]), child, data_path, Path(job["model_path"]), say, stop, job["preprocessing_version"])
    except Exception as error:  # noqa: BLE001 - the child tells the kiosk, which tells the visitor calmly
        say({"type": "error", "message": f"{type(error).__name__}: {error}"})
    return 0


def to_input(images: np.ndarray) -> np.ndarray:
    """The kiosk's to_model_input for MNIST's already centred 28x28 digits, without OpenCV in the learner
    (40 MB it does not need); tests/kiosk/learning holds the two equal."""
    return (images.astype(np.float32) / 255.0).reshape(-1, 1, contract.IMAGE_SIZE, contract.IMAGE_SIZE)


def _learn(settings: LiveSettings, child_image, data_path, model_path: Path, say, stop, preprocessing_version: str) -> None:
    from kiosk.atomic_write import write_bytes_atomic
    from kiosk.learning import live_data, network
    from kiosk.learning.onnx_io import to_onnx_bytes

    data = live_data.load(data_path) if data_path is not None else live_data.load()
    rng = np.random.default_rng(settings.seed)
    net = (network.mlp(MLP_HIDDEN, settings.dropout_rate, rng) if settings.kind == "mlp"
           else network.cnn(settings.dropout_rate, rng, channels=CNN_CHANNELS, fc_units=CNN_FC))
    optimizer = network.Adam(net.params, learning_rate=settings.learning_rate)
    test_x, test_y = to_input(data.test_images), data.test_labels
    strip = np.array([int(np.flatnonzero(test_y == digit)[0]) for digit in range(STRIP)])
    child = to_input(child_image[None]) if child_image is not None else None
    started = last_report = time.monotonic()
    seen, broke = 0, False

    def report(epoch: int, final: bool = False) -> dict:
        x, y = (test_x, test_y) if final else (test_x[:CURVE_IMAGES], test_y[:CURVE_IMAGES])
        scores = net.probabilities(x, batch_size=50)  # small batches keep the learner under 100 MB
        finite = bool(np.isfinite(scores).all())
        strip_answers = net.probabilities(test_x[strip]).argmax(axis=1) if finite else np.full(STRIP, -1)
        message = {
            "type": "progress", "epoch": epoch, "seen": seen, "seconds": round(time.monotonic() - started, 2),
            "accuracy": float((scores.argmax(axis=1) == y).mean()) if finite else 0.0,
            "strip": [int(a) for a in strip_answers], "strip_labels": [int(v) for v in test_y[strip]],
            "child": [float(v) for v in net.probabilities(child)[0]] if child is not None and finite else None,
            "broke": broke or not finite,
        }
        say(message)
        return message

    report(0)
    for epoch in range(1, settings.max_epochs + 1):
        order = rng.permutation(len(data.train_labels))
        for start in range(0, len(order), BATCH):
            if stop.is_set():
                say({"type": "stopped", "seen": seen, **_last(report(epoch))})
                return
            index = order[start:start + BATCH]
            loss, _ = network.train_step(net, optimizer, to_input(data.train_images[index]), data.train_labels[index], rng)
            seen += len(index)
            if not np.isfinite(loss):  # the steps were so big the numbers blew up: nothing more to learn
                broke = True
                break
            if time.monotonic() - last_report >= REPORT_EVERY_S:
                last_report = time.monotonic()
                report(epoch)
        if broke:
            break
    say({"type": "checking", "seen": seen})  # the big test on every held-out digit: the screen says so
    final = report(settings.max_epochs, final=True)
    done = {"type": "done", "accuracy": final["accuracy"], "seen": seen, "seconds": final["seconds"], "broke": final["broke"],
            "settings": asdict(settings), "model_path": None}
    if not final["broke"]:
        metadata = {
            contract.META_CONTRACT_VERSION: contract.CONTRACT_VERSION, contract.META_MODEL_KIND: settings.kind,
            contract.META_PREPROCESSING_VERSION: preprocessing_version,
            contract.META_SETTINGS: json.dumps({"model": settings.kind, "dropout_rate": settings.dropout_rate,
                                                "learning_rate": settings.learning_rate, "max_epochs": settings.max_epochs}),
            contract.META_MNIST_TEST_ACCURACY: f"{final['accuracy']:.6f}",
            "trained_by": "a visitor, live on the kiosk",
        }
        write_bytes_atomic(model_path, to_onnx_bytes(net, metadata))
        done["model_path"] = str(model_path)
        # the kiosk checks the file with onnxruntime against these before anyone draws on it
        done["parity_probabilities"] = net.probabilities(test_x[:PARITY_IMAGES]).tolist()
    say(done)


def check_learned_model(done: dict, data_path: Path | None = None) -> Path:
    """The learner's file, loaded as the kiosk loads models and answering as the learner did (LearningError if not)."""
    from kiosk.errors import LearningError
    from kiosk.learning import live_data
    from kiosk.recognition.recognizer import Recognizer

    path = Path(done["model_path"])
    recognizer = Recognizer(path)  # ModelLoadError for a file that does not fit the model contract
    data = live_data.load(data_path) if data_path is not None else live_data.load()
    theirs = recognizer.probabilities(to_input(data.test_images[:PARITY_IMAGES]))
    difference = float(np.abs(theirs - np.array(done["parity_probabilities"], np.float32)).max())
    if not difference <= 1e-4:
        raise LearningError(f"the learned model answers differently in onnxruntime (by {difference:.2e}); it was not used")
    return path


def _last(progress: dict) -> dict:
    return {k: progress[k] for k in ("accuracy", "epoch", "seconds", "strip", "child")}


def outcome(done: dict, settings: LiveSettings) -> tuple[str, dict]:
    """What the kiosk says at the end: (phrase id, values)."""
    right = int(round(done.get("accuracy", 0.0) * 100))
    if done.get("broke") or (settings.learning_rate >= 0.1 and right < 50):
        return "live.too_big", {}
    if right < 80 and settings.learning_rate <= 0.0001:
        return "live.too_small", {"right": right}
    return "live.result", {"right": right}


if __name__ == "__main__":
    sys.exit(main())
