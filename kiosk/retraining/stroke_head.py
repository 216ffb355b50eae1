"""The stroke model's last layer, fine-tuned in the night on the children's drawings, beside the CNN.

Only the last layer's ten digit rows (128 -> 10) learn. MNIST has no strokes, so the stroke model has no replay
on a Pi to keep it from forgetting the 146 writers it learned from: its convolutions and first dense layer stay
as they were, and the digit rows are pulled back towards the shipped model's (an L2 anchor on the change, as in
"L2-SP", Li et al. 2018), so a few hundred labels nudge it rather than rewrite it, and nights do not add up.
A child's label says which digit, never whether it is a number: the "not a number" row stays as shipped.
Each drawing is learned from as drawn and in a few jittered copies of its strokes (turned, stretched, sheared).

Its fixed yardstick, which no child can write to: the kiosk's example digits (kiosk/recognition/
example_digits.py), each style in seeded jittered copies, read by the stroke model alone, per digit. A prank
that teaches it "1s are 7s" moves the example 1s, and that stroke model stays as it was (nightly.py).
"""
from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.config import KioskConfig
from kiosk.errors import LearningError, ModelLoadError
from kiosk.learning import stopping
from kiosk.learning.layers import Linear
from kiosk.learning.network import Adam, Network, cross_entropy
from kiosk.learning.onnx_io import check_parity, read_onnx, to_onnx_bytes
from kiosk.recognition.example_digits import EXAMPLES
from kiosk.recognition.model_contract import STROKE_CLASSES, STROKE_FILE, STROKE_INPUT_NAME
from kiosk.recognition.recognizer import model_version
from kiosk.recognition.model_files import limits_of
from kiosk.recognition.stroke_model import StrokeModel, load_stroke_model, paired_file, paired_stroke_model
from kiosk.retraining.fused_judging import (
    HeldOutStrokes, StrokeReadings, channels_of, file_runner, jittered, run_in_batches,
)

STEPS = 120  # full-batch steps on the last layer's inputs: a second or two of CPU
LEARNING_RATE = 3e-3
ANCHOR = 0.05  # weight of the squared change of the last layer's weights in the loss
COPIES = 3  # jittered copies of each drawing's strokes, besides the drawing as drawn
YARDSTICK_COPIES = 40  # of each example style: 80 per digit
MAX_DIGIT_DROP = 0.025  # the yardstick: at most 2 of a digit's 80 example copies may be lost
log = logging.getLogger(__name__)
BATCH = 25  # drawings per forward pass: small activations on a Pi
MAX_DRAWINGS = 1_000  # learned from in one night, at most: time and memory stay bounded as the store grows
DIGITS = 10  # the last layer's rows that learn; the eleventh is "not a number"


def last_layer(network: Network) -> Linear:
    last = network.layers[-1]
    if not isinstance(last, Linear) or last.weight.value.shape[0] != STROKE_CLASSES:
        raise ValueError(f"not a stroke model's last layer: {type(last).__name__}")
    return last


def inputs_of_last_layer(network: Network, channels: np.ndarray) -> np.ndarray:
    """What the last layer reads for each row of channels (N, 128), the network as it answers (no dropout)."""
    parts = []
    for start in range(0, len(channels), BATCH):
        x = channels[start:start + BATCH]
        for layer in network.layers[:-1]:
            x = layer.forward(x, False, None)
        parts.append(x)
    return np.concatenate(parts) if parts else np.zeros((0, last_layer(network).weight.value.shape[1]), np.float32)


def features_of(network: Network, drawings: list, copies: int = 0,
                rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """What the last layer reads (N, 128) for each drawing and its jittered copies, and the drawing each row came
    from: BATCH drawings at a time, so only the small features are kept, however many drawings there are."""
    parts, origins = [], []
    for start in range(0, len(drawings), BATCH):
        channels, origin = channels_of(drawings[start:start + BATCH], copies, rng)
        parts.append(inputs_of_last_layer(network, channels))
        origins.append(origin + start)
    if not parts:
        return np.zeros((0, last_layer(network).weight.value.shape[1]), np.float32), np.zeros(0, np.int64)
    return np.concatenate(parts), np.concatenate(origins)


def fine_tune(network: Network, drawings: list, labels: np.ndarray, seed: int = 0,
              anchor: np.ndarray | None = None) -> dict:
    """Teach the last layer these labelled drawings (and jittered copies; at most MAX_DRAWINGS of them, chosen
    by the seed), pulled towards anchor (the shipped layer's weights; default: where it starts). Only the ten
    digits' rows learn, by a softmax over the digits: a child's label says which digit, never whether it is a
    number, so the "not a number" row and its bias stay as they were. Returns what it learned."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels, np.int64)
    if len(drawings) > MAX_DRAWINGS:
        keep = np.sort(rng.choice(len(drawings), MAX_DRAWINGS, replace=False))
        drawings, labels = [drawings[i] for i in keep], labels[keep]
    features, origin = features_of(network, drawings, COPIES, rng)
    if not len(origin):
        return {"rows": 0}
    targets = labels[origin]
    last = last_layer(network)
    start = last.weight.value.copy()
    anchor = start[:DIGITS] if anchor is None else np.asarray(anchor, np.float32)[:DIGITS]
    optimizer = Adam([last.weight, last.bias], learning_rate=LEARNING_RATE)
    losses = []
    for _ in range(STEPS):
        logits = features @ last.weight.value[:DIGITS].T + last.bias.value[:DIGITS]
        loss, grad = cross_entropy(logits, targets)
        change = last.weight.value[:DIGITS] - anchor
        last.weight.grad = np.zeros_like(last.weight.value)
        last.bias.grad = np.zeros_like(last.bias.value)
        last.weight.grad[:DIGITS] = grad.T @ features + 2 * ANCHOR * change
        last.bias.grad[:DIGITS] = grad.sum(axis=0)
        losses.append(loss + ANCHOR * float((change ** 2).sum()))
        optimizer.step()
    moved = float(np.linalg.norm(last.weight.value - start) / max(np.linalg.norm(start), 1e-12))
    return {"rows": int(len(origin)), "loss_first": round(losses[0], 4), "loss_last": round(losses[-1], 4),
            "weights_moved": round(moved, 4)}


@functools.cache
def yardstick_channels() -> tuple[np.ndarray, np.ndarray]:
    """The example digits, each style in YARDSTICK_COPIES seeded jittered copies: channels and labels (made
    once per process, read-only: the same copies every night)."""
    rng = np.random.default_rng(2024)  # fixed: every night is measured on the very same copies
    drawings, labels = [], []
    for digit, styles in EXAMPLES.items():
        for style in styles:
            strokes = [np.array([(400 * x, 400 * y) for x, y in s], np.float64) for s in style]
            drawings += [jittered(strokes, rng) for _ in range(YARDSTICK_COPIES)]
            labels += [digit] * YARDSTICK_COPIES
    channels, origin = channels_of(drawings)
    labels = np.array(labels, np.int64)[origin]
    channels.flags.writeable = labels.flags.writeable = False
    return channels, labels


def yardstick(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Per digit, the share of the example copies the stroke model reads as that digit (of the ten digits)."""
    answers = probabilities[:, :10].argmax(axis=1)
    return {str(d): float((answers[labels == d] == d).mean()) for d in sorted(set(labels.tolist()))}


def floors(before: dict[str, float], after: dict[str, float], against: str = "last night's") -> list[str]:
    """A reason for every digit of the stroke yardstick more than MAX_DIGIT_DROP below before."""
    return [f"the stroke model's example {d}s fell from {was:.1%} to {after.get(d, was):.1%} against {against} "
            f"(at most {MAX_DIGIT_DROP:.1%} per digit)"
            for d, was in before.items() if after.get(d, was) < was - MAX_DIGIT_DROP]


@dataclass(frozen=True)
class StrokeNight:
    """The stroke model retrained beside the CNN: its file, its readings of the held-out drawings, what it
    learned and its yardstick (before, after, shipped), and why it must not answer (empty when it may)."""

    data: bytes
    readings: StrokeReadings
    report: dict
    reasons: list[str]


def retrain_beside(current: Path, shipped: Path, stroke_weight: float, drawings: list, labels: np.ndarray,
                   held_out: HeldOutStrokes, seed: int = 0) -> StrokeNight:
    """Fine-tune the last layer of the stroke model the kiosk runs now (current) on the night's drawings; the
    new file is checked against the engine (parity) and scored by onnxruntime, as the CNN's is."""
    network, metadata, proto = read_onnx(current)
    # pulled towards the shipped layer, not last night's: small nudges do not add up night after night
    learned = fine_tune(network, drawings, labels, seed, last_layer(read_onnx(shipped)[0]).weight.value)
    data = to_onnx_bytes(network, {**metadata, "retrained": json.dumps(learned)}, proto)
    channels, truth = yardstick_channels()
    check_parity(network, data, channels[:100], input_name=STROKE_INPUT_NAME)
    new = file_runner(data)
    sticks = {name: yardstick(run_in_batches(run, channels), truth)
              for name, run in (("before", file_runner(current)), ("after", new), ("shipped", file_runner(shipped)))}
    reasons = floors(sticks["before"], sticks["after"]) + floors(sticks["shipped"], sticks["after"],
                                                                 "the shipped one's")
    return StrokeNight(data, held_out.read_by(new, stroke_weight), {"learned": learned, "yardstick": sticks}, reasons)


def keep_paired_only(taught_dir: Path) -> None:
    """Remove the retrained stroke models whose CNN is neither the kiosk's taught one nor a kept version of it
    (a rollback to a kept CNN finds its stroke model again)."""
    cnns = [taught_dir / "cnn.onnx", *sorted((taught_dir / "versions").glob("cnn-*.onnx"))]
    wanted = {paired_file(taught_dir, model_version(path.read_bytes())) for path in cnns if path.is_file()}
    prefix = STROKE_FILE.removesuffix(".onnx") + "-"
    for path in taught_dir.glob(f"{prefix}*.onnx"):
        if path not in wanted:
            path.unlink(missing_ok=True)


def current_stroke_model(config: KioskConfig, model: str) -> StrokeModel | None:
    """The stroke model the kiosk fuses with this CNN file: one retrained beside it, else the shipped one (None
    without a usable shipped one: the CNN answers alone). LearningError when the one beside it does not load:
    the kiosk then runs the shipped pair, which this night did not start from."""
    shipped = load_stroke_model(config.model_dir_path, limits_of(config))
    if shipped is None:
        return None
    version = model_version(Path(model).read_bytes())
    paired = paired_stroke_model(config.taught_model_dir, version, limits_of(config))
    if paired is None and paired_file(config.taught_model_dir, version).exists():
        raise LearningError(f"the stroke model beside {model} does not load (logged above): the kiosk runs the "
                            "shipped pair; roll back (digit-kiosk retrain --rollback), then retrain")
    return paired or shipped


def stroke_night(config: KioskConfig, model: StrokeModel, drawings: list | None, labels: np.ndarray,
                 held_out: HeldOutStrokes | None, seed: int) -> tuple[StrokeNight | None, dict | None]:
    """The stroke model retrained beside the CNN on the night's drawings, and what it did; None for it where
    there is nothing to learn, or where it failed or its yardstick refused it: the CNN is then judged and kept
    with the stroke model it had."""
    if held_out is None or not drawings:
        return None, None
    stopping.check()
    try:
        night = retrain_beside(model.path, config.model_dir_path / STROKE_FILE, model.rule.stroke_weight, drawings,
                               labels, held_out, seed)
    except (ModelLoadError, LearningError, ValueError) as error:  # its file, the engine, or the parity check
        log.warning("the stroke model stays as it was: %s", error)
        return None, {"kept": False, "reasons": [f"the stroke model could not be retrained ({error})"]}
    if night.reasons:
        log.warning("the stroke model stays as it was: %s", "; ".join(night.reasons))
    return (None if night.reasons else night), {**night.report, "kept": not night.reasons, "reasons": night.reasons}


def carried(config: KioskConfig, model: StrokeModel | None) -> bytes | None:
    """The stroke model the CNN was judged with tonight when it was not retrained: one retrained on an earlier
    night goes on beside the new CNN; the shipped one needs no copy."""
    return None if model is None or model.path.parent != config.taught_model_dir else model.path.read_bytes()


def tidy_paired(taught_dir: Path) -> None:
    """keep_paired_only after a promotion: the swap is done, so a failure here is only logged."""
    try:
        keep_paired_only(taught_dir)
    except OSError as error:
        log.warning("could not tidy the stroke models no kept CNN uses (%s); the next night tries again", error)
