"""Live training, the kiosk's side: start the learner in its own process, hear it, stop it, check its model.

The learning runs in its own process (kiosk.learning.live_learner: niced, one BLAS thread, only numpy
loaded), so the kiosk keeps its frame rate and answers touches: numpy holds the GIL between its calls,
and a thread would stutter the screen. Its messages (kiosk.learning.live_protocol) arrive several times a
second; at the end comes a model that passes the kiosk's model contract, checked here with onnxruntime.
Stop never waits: the learner is asked, and a thread kills it if it has not gone within STOP_GRACE_S, so the
render loop goes on at once. A learner killed between writing its model and the rename leaves a
`.live.onnx.*.tmp`; every start (the kiosk's, and each training's) removes those. On any error the learner says
why in one message instead of dying silently.
"""
from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from kiosk.learning.live_protocol import FINAL, Done, Failed, LiveJob, Message, decode
from kiosk.learning.live_settings import LiveSettings

log = logging.getLogger(__name__)

PARITY_TOLERANCE = 1e-4  # onnxruntime and the learner agree this closely, or the model is not used
STOP_GRACE_S = 0.5  # a learner asked to stop has this long to go before it is killed (busy in its big test)
MODEL_NAME = "live.onnx"
LEARNER = (sys.executable, "-m", "kiosk.learning.live_learner")


def remove_leftovers(folder: Path) -> int:
    """Delete the temp files of a learner killed between writing its model and the rename; how many went."""
    removed = 0
    for leftover in Path(folder).glob(f".{MODEL_NAME}.*.tmp"):
        try:
            leftover.unlink()
            removed += 1
        except OSError as error:
            log.warning("live training: cannot remove the leftover %s (%s)", leftover, error)
    if removed:
        log.info("live training: removed %d leftover model file(s) in %s", removed, folder)
    return removed


class LiveTraining:
    """One training run in a child process; poll() for its messages, stop() to end it at once.

    The child is `python -m kiosk.learning.live_learner` with only numpy in it (not a copy of the kiosk); it
    speaks JSON lines on stdout and writes the model into `folder`. `command` replaces
    the learner (tests: a slow or stubborn one)."""

    def __init__(self, settings: LiveSettings, child_image: np.ndarray | None = None, data_path: Path | None = None,
                 folder: Path | None = None, command: Sequence[str] = LEARNER):
        self.settings, self.child_image, self.data_path = settings, child_image, data_path
        self.folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="kiosk-live-"))
        self.command = list(command)
        self._messages: queue.Queue[Message | None] = queue.Queue()
        self._process: subprocess.Popen | None = None
        self.finished = False
        self._stop_asked = False

    def start(self) -> LiveTraining:
        # here, not in the learner: OpenCV stays out of it
        from kiosk.recognition.preprocess import PREPROCESSING_VERSION

        self.folder.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.folder)
        image = tuple(map(tuple, self.child_image.astype(np.uint8).tolist())) if self.child_image is not None else None
        job = LiveJob(self.settings, str(self.folder / MODEL_NAME), PREPROCESSING_VERSION,
                      str(self.data_path) if self.data_path else None, image)
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # one core: the kiosk keeps the other
        self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                                         preexec_fn=lambda: os.nice(10))  # the kiosk's own loop comes first
        self._process.stdin.write(job.to_line())
        self._process.stdin.flush()
        threading.Thread(target=self._read, daemon=True, name="live-training-reader").start()
        return self

    def _read(self) -> None:
        for line in self._process.stdout:  # blocks in this thread only, never in the render loop
            try:
                self._messages.put(decode(line))
            except (ValueError, KeyError, TypeError):
                log.debug("live training said: %s", line.rstrip())
        self._messages.put(None)  # the child's end

    def poll(self) -> list[Message]:
        """Everything the learner said since the last poll (never blocks)."""
        messages: list[Message] = []
        while True:
            try:
                message = self._messages.get_nowait()
            except queue.Empty:
                break
            if message is None:
                if not self.finished:  # ended without a last word: killed, out of memory
                    self.finished = True
                    tail = (self._process.stderr.read() or "").strip().splitlines()[-1:]
                    messages.append(Failed(f"the learning stopped ({' '.join(tail) or 'no reason given'})"))
                break
            messages.append(message)
            if isinstance(message, FINAL):
                self.finished = True
        return messages

    def stop(self) -> None:
        """End it without waiting (the render loop goes on): asked on stdin, killed by a thread after STOP_GRACE_S."""
        if self._process is None or self._stop_asked:
            return
        self._stop_asked = self.finished = True
        threading.Thread(target=self._end, args=(self._process,), daemon=True, name="live-training-stop").start()

    @staticmethod
    def _end(process: subprocess.Popen) -> None:
        try:
            process.stdin.write("stop\n")  # the learner checks between steps, and before it writes its model
            process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
        try:
            process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()  # busy in a long step or its big test: a leftover temp file goes at the next start
            process.wait()
            log.info("live training: the learner did not stop within %.1f s and was ended", STOP_GRACE_S)

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


def check_learned_model(done: Done, data_path: Path | None = None) -> Path:
    """The learner's file, loaded as the kiosk loads models and answering as the learner did (LearningError if not)."""
    from kiosk.errors import LearningError
    from kiosk.learning import live_data
    from kiosk.learning.live_learner import PARITY_IMAGES, to_input
    from kiosk.recognition.recognizer import Recognizer

    if done.model_path is None or done.parity_probabilities is None:
        raise LearningError("the learning ended without a model to check")
    path = Path(done.model_path)
    recognizer = Recognizer(path)  # ModelLoadError for a file that does not fit the model contract
    data = live_data.load(data_path) if data_path is not None else live_data.load()
    theirs = recognizer.probabilities(to_input(data.test_images[:PARITY_IMAGES]))
    difference = float(np.abs(theirs - np.array(done.parity_probabilities, np.float32)).max())
    if not difference <= PARITY_TOLERANCE:
        raise LearningError(f"the learned model answers differently in onnxruntime (by {difference:.2e}); "
                            "it was not used")
    return path
