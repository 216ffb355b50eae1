"""The live learner: the child process of a live training (`python -m kiosk.learning.live_learner`).

It reads one job (kiosk.learning.live_protocol) from stdin, learns with the kiosk's numpy engine, and says
how it is doing in JSON lines on stdout several times a second; a "stop" line on stdin (or stdin closing)
ends it at the next step. Only numpy is loaded here: no onnx (its model file is written by
kiosk.learning.onnx_bytes), OpenCV, onnxruntime or pygame.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np

from kiosk.learning.live_protocol import Checking, Done, Failed, LiveJob, Message, Progress, Stopped, encode
from kiosk.recognition import model_contract as contract

MLP_HIDDEN = 256
CNN_CHANNELS, CNN_FC = (4, 8), 64  # two small convolutions: 96% within 25,000 digits, about 3 s on one core here
BATCH = {"mlp": 64, "cnn": 32}  # larger batches learn more per second of one core (fewer, bigger matrix products)
# the step size falls to nothing over this last share of the training: the last steps settle instead of
# jumping around the best weights (+0.5-1% on the 1,000 held out, for no extra time)
SETTLE_SHARE = 0.3
REPORT_EVERY_S = 0.2
# and not before so many digits: scoring the curve's 300 must not crowd out learning (a CNN's look costs
# about 25 ms, as much as learning from 250 digits: once a round, not 25 times in its 20 rounds)
REPORT_EVERY_IMAGES = {"mlp": 1000, "cnn": 2500}
MIN_POINTS = 8  # and at least this many points over the whole training, however fast the core: a curve of three
# points on a fast machine shows no learning
BLOWN_LOSS = 10 * np.log(10)  # ten times a blind guess's loss: the steps threw it far off
GIVE_UP_IMAGES = 2000  # after a blow-up and this many digits still guessing blindly, it never learns
BLIND = 0.3  # right on under 30% of the curve's digits: still guessing
CURVE_IMAGES = 300  # of the 1,000 held out: scored at every report (all 1,000 at the end)
STRIP = 10  # test digits shown turning right or wrong, one of each digit
PARITY_IMAGES = 50  # held-out digits onnxruntime must answer like the learner on before the model is used

Say = Callable[[Message], None]


def main() -> int:
    """The child: the job from stdin, JSON lines to stdout; a "stop" line on stdin (or stdin closing) ends it."""
    job_line = sys.stdin.readline()
    stop = threading.Event()

    def listen() -> None:
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        stop.set()  # asked to stop, or the kiosk went away: so does the learner

    threading.Thread(target=listen, daemon=True).start()

    def say(message: Message) -> None:
        sys.stdout.write(encode(message))
        sys.stdout.flush()

    try:
        learn(LiveJob.from_line(job_line), say, stop)
    except Exception as error:  # any error: the child tells the kiosk, which tells the visitor calmly
        say(Failed(f"{type(error).__name__}: {error}"))
    return 0


def to_input(images: np.ndarray) -> np.ndarray:
    """The kiosk's to_model_input for MNIST's already centred 28x28 digits, without OpenCV in the learner
    (40 MB it does not need); tests/kiosk/learning holds the two equal."""
    return (images.astype(np.float32) / 255.0).reshape(-1, 1, contract.IMAGE_SIZE, contract.IMAGE_SIZE)


class _Learner:
    """One run's network, data and counters; reports what it knows now."""

    def __init__(self, job: LiveJob):
        from kiosk.learning import live_data, network

        self.settings = settings = job.settings
        self.data = live_data.load(Path(job.data_path)) if job.data_path else live_data.load()
        self.rng = np.random.default_rng(settings.seed)
        self.net = (network.mlp(MLP_HIDDEN, settings.dropout_rate, self.rng) if settings.kind == "mlp"
                    else network.small_cnn(settings.dropout_rate, self.rng, channels=CNN_CHANNELS, fc_units=CNN_FC))
        self.optimizer = network.Adam(self.net.params, learning_rate=settings.learning_rate)
        self.test_x, self.test_y = to_input(self.data.test_images), self.data.test_labels  # (1000, 1, 28, 28), (1000,)
        self.strip = np.array([int(np.flatnonzero(self.test_y == digit)[0]) for digit in range(STRIP)])
        self.child = to_input(np.array(job.child_image, np.uint8)[None]) if job.child_image is not None else None
        self.started = time.monotonic()
        self.seen, self.broke, self.blown = 0, False, False
        self.total_images = settings.max_epochs * settings.round_images

    def step_size(self) -> float:
        """The child's step size, falling linearly to zero over the last SETTLE_SHARE of the digits."""
        left = 1.0 - self.seen / self.total_images
        return self.settings.learning_rate * min(1.0, left / SETTLE_SHARE)

    def step(self, index: np.ndarray) -> None:
        from kiosk.learning import network

        self.optimizer.learning_rate = self.step_size()
        loss, _ = network.train_step(self.net, self.optimizer, to_input(self.data.train_images[index]),
                                     self.data.train_labels[index], self.rng)
        self.seen += len(index)
        self.broke = self.broke or not np.isfinite(loss)  # the steps were so big the numbers blew up
        self.blown = self.blown or not loss < BLOWN_LOSS

    def never_learns(self, progress: Progress) -> bool:
        """Clear already: the steps threw it far off, and thousands of digits later it still guesses blindly."""
        return self.blown and self.seen >= GIVE_UP_IMAGES and progress.accuracy < BLIND

    def progress(self, epoch: int, final: bool = False) -> Progress:
        x, y = (self.test_x, self.test_y) if final else (self.test_x[:CURVE_IMAGES], self.test_y[:CURVE_IMAGES])
        scores = self.net.probabilities(x, batch_size=50)  # small batches keep the learner under 100 MB
        finite = bool(np.isfinite(scores).all())
        strip = self.net.probabilities(self.test_x[self.strip]).argmax(axis=1) if finite else np.full(STRIP, -1)
        child = self.net.probabilities(self.child)[0] if self.child is not None and finite else None
        return Progress(epoch, self.seen, round(time.monotonic() - self.started, 2),
                        float((scores.argmax(axis=1) == y).mean()) if finite else 0.0,
                        tuple(int(a) for a in strip), tuple(int(v) for v in self.test_y[self.strip]),
                        tuple(float(v) for v in child) if child is not None else None, self.broke or not finite)


def learn(job: LiveJob, say: Say, stop: threading.Event) -> None:
    """Learn round by round on one BLAS thread (more only fight over the cores), reporting as it goes;
    at the end the big test, then the model file."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        _learn(job, say, stop)


def _learn(job: LiveJob, say: Say, stop: threading.Event) -> None:
    learner = _Learner(job)
    last_report, last_seen = time.monotonic(), 0
    report_every = REPORT_EVERY_IMAGES[job.settings.kind]
    round_images = min(job.settings.round_images, len(learner.data.train_labels))
    at_least_every = max(1, job.settings.max_epochs * round_images // MIN_POINTS)
    say(learner.progress(0))
    for epoch in range(1, job.settings.max_epochs + 1):
        order = learner.rng.permutation(len(learner.data.train_labels))[:round_images]
        batch = BATCH[job.settings.kind]
        for start in range(0, len(order), batch):
            if stop.is_set():
                last = learner.progress(epoch)
                say(last)
                say(Stopped(learner.seen, last))
                return
            learner.step(order[start:start + batch])
            if learner.broke:
                break  # nothing more to learn
            since = learner.seen - last_seen
            due = (time.monotonic() - last_report >= REPORT_EVERY_S and since >= report_every) \
                or since >= at_least_every
            judge = learner.blown and last_seen < GIVE_UP_IMAGES <= learner.seen  # on any machine at this digit
            if due or judge:
                last_report, last_seen = time.monotonic(), learner.seen
                now = learner.progress(epoch)
                say(now)
                if learner.never_learns(now):
                    learner.broke = True  # say so now, not after every round: the child hears it at once
                    break
        if learner.broke:
            break
    say(Checking(learner.seen))  # the big test on every held-out digit: the screen says so
    final = learner.progress(epoch, final=True)
    say(final)
    if stop.is_set():  # asked during the big test: no model file half-written when the kiosk ends it
        say(Stopped(learner.seen, final))
        return
    say(_done(job, learner, final))


def _done(job: LiveJob, learner: _Learner, final: Progress) -> Done:
    """The last word: the model written (unless it broke), with its answers for the kiosk to check the file by."""
    from kiosk.atomic_write import write_bytes_atomic
    from kiosk.learning.onnx_bytes import model_bytes  # not onnx itself: 0.75 s of one core to import

    done = Done(final.accuracy, learner.seen, final.seconds, final.broke, job.settings)
    if final.broke:
        return done
    settings = job.settings
    metadata = {
        contract.META_CONTRACT_VERSION: contract.CONTRACT_VERSION, contract.META_MODEL_KIND: settings.kind,
        contract.META_PREPROCESSING_VERSION: job.preprocessing_version,
        contract.META_SETTINGS: json.dumps({"model": settings.kind, "dropout_rate": settings.dropout_rate,
                                            "learning_rate": settings.learning_rate,
                                            "max_epochs": settings.max_epochs}),
        contract.META_MNIST_TEST_ACCURACY: f"{final.accuracy:.6f}",
        "trained_by": "a visitor, live on the kiosk",
    }
    write_bytes_atomic(Path(job.model_path), model_bytes(learner.net, metadata))
    parity = learner.net.probabilities(learner.test_x[:PARITY_IMAGES])  # (50, 10)
    return Done(final.accuracy, learner.seen, final.seconds, False, settings, job.model_path,
                tuple(tuple(float(v) for v in row) for row in parity))


if __name__ == "__main__":
    sys.exit(main())
