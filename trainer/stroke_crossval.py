"""Cross-validation of the stroke model by writer AND by site: every drawing is answered by a stroke model that
never saw its writer (by writer) or anyone from its site (leave-one-site-out; one site's habits, a tablet, a
school's way of writing a 1, can leak across its writers).

Each fold trains a stroke model on the other writers' jittered digits and letters and answers the held-out
writers' digits and letters as the kiosk would see them (placed on the canvas, no jitter). The shipped image
CNN and gate answer the same drawings; they trained on the 13 first dev writers only (their metadata say
which), so the figures count only the writers none of the models learned from. stroke_report.py calibrates
the fused rule and prints the figures.

    digit-kiosk-trainer stroke-crossval --out build/stroke-crossval [--folds 5] [--device cuda --workers 16]
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition import model_contract as contract
from kiosk.recognition.preprocess import clean_strokes, image_and_frame, to_model_input
from kiosk.recognition.recognizer import path_ratio
from kiosk.recognition.stroke_channels import CHANNELS, channels_in_frame
from trainer import drawings
from trainer.drawings import NOT_DIGIT_TRAINING, Drawings
from trainer.unseen_writers import site_of

RESULTS = "heldout.npz"


@dataclass(frozen=True)
class View:
    """Drawings as the kiosk sees them: stroke channels (int8, * 127), pictures, path ratios, ink shares."""

    channels: np.ndarray  # (N, 7, 28, 28) int8
    images: np.ndarray  # (N, 28, 28) uint8
    ratio: np.ndarray  # (N,)
    ink: np.ndarray  # (N,)


def kiosk_view(drawn: Drawings, seed: int) -> View:
    """Each drawing placed on the canvas (35-80% of it, no jitter) and preprocessed as the kiosk does."""
    rng = np.random.default_rng(seed)
    channels = np.zeros((len(drawn), len(CHANNELS), 28, 28), np.int8)
    images, ratios = np.zeros((len(drawn), 28, 28), np.uint8), np.zeros(len(drawn))
    for i, strokes in enumerate(drawn.strokes):
        cleaned = clean_strokes(drawings.on_canvas(strokes, rng))
        try:
            image, frame = image_and_frame(cleaned)
        except EmptyDrawing:
            continue
        images[i], ratios[i] = image, path_ratio(cleaned)
        channels[i] = np.round(channels_in_frame(cleaned, image, frame) * 127).astype(np.int8)
    return View(channels, images, ratios, (images > 127).mean(axis=(1, 2)))


def image_answers(model_dir: Path, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shipped image CNN's (N, 10) and the gate's (N, 2) answers, through onnxruntime as on the kiosk."""
    from kiosk.recognition.runtime import ort

    batch = to_model_input(images) if len(images) else np.zeros((0, 1, 28, 28), np.float32)
    cnn = ort.InferenceSession(str(model_dir / "cnn.onnx"), providers=["CPUExecutionProvider"])
    gate = ort.InferenceSession(str(model_dir / contract.GATE_FILE), providers=["CPUExecutionProvider"])
    return (cnn.run([contract.OUTPUT_NAME], {contract.INPUT_NAME: batch})[0],
            gate.run([contract.GATE_OUTPUT_NAME], {contract.INPUT_NAME: batch})[0])


def fold_groups(scheme: str, digits: Drawings, letters: Drawings, folds: int) -> list[set[str]]:
    """The held-out writers of each fold: `folds` groups of writers, or one group per site."""
    writers = np.concatenate([digits.writers, letters.writers])
    if scheme == "site":
        sites = site_of(writers)
        return [set(writers[sites == site].tolist()) for site in sorted(set(sites))]
    return drawings.writer_folds(writers, folds)


@dataclass(frozen=True)
class TrainingPool:
    """Every drawing's jittered training copies, rendered once and shared by all folds."""

    x: np.ndarray  # (M, 7, 28, 28) int8
    y: np.ndarray  # (M,) 0-9, 10 for "not a number"
    writers: np.ndarray  # (M,)


def training_pool(digits: Drawings, letters: Drawings, settings) -> TrainingPool:
    from trainer import stroke_training

    negatives = letters.subset(np.isin(letters.characters(), list(NOT_DIGIT_TRAINING)))
    x, y = stroke_training.training_set(digits, letters, settings)
    writers = np.concatenate([np.tile(digits.writers, settings.digit_copies),
                              np.tile(negatives.writers, settings.letter_copies)])
    return TrainingPool(x, y, writers)


def run(out: Path, model_dir: Path, folds: int, settings, device: str, limit: int | None = None, log=print) -> Path:
    """Train every fold of both schemes and save the held-out answers (with the image models') in out."""
    from kiosk.atomic_write import write_bytes_atomic
    from trainer import stroke_training

    digits, letters = drawings.load_digits(), drawings.load_letters()
    if limit is not None:  # CI: the first drawings of a few writers per site
        digits, letters = _small(digits, limit), _small(letters, limit)
    started = time.monotonic()
    pool = training_pool(digits, letters, settings)
    log(f"rendered {len(pool.y)} training copies in {time.monotonic() - started:.0f} s", flush=True)
    result: dict[str, np.ndarray] = {}
    for name, drawn, seed in (("digits", digits, 100), ("letters", letters, 200)):
        view = kiosk_view(drawn, seed)
        cnn, gate = image_answers(model_dir, view.images)
        result.update({f"{name}_labels": drawn.labels, f"{name}_writers": drawn.writers, f"{name}_cnn": cnn,
                       f"{name}_gate": gate[:, 1], f"{name}_ratio": view.ratio, f"{name}_ink": view.ink})
        for scheme in ("writer", "site"):
            result[f"{name}_stroke_{scheme}"] = np.full((len(drawn), contract.STROKE_CLASSES), np.nan, np.float32)
        result[f"_{name}_channels"] = view.channels
    for scheme in ("writer", "site"):
        for k, held in enumerate(fold_groups(scheme, digits, letters, folds)):
            keep = ~np.isin(pool.writers, list(held))
            model = stroke_training.fit(pool.x[keep], pool.y[keep], replace(settings, seed=settings.seed + k),
                                        device, log=lambda *_: None)
            for name in ("digits", "letters"):
                mine = np.isin(result[f"{name}_writers"], list(held))
                result[f"{name}_stroke_{scheme}"][mine] = stroke_training.probabilities(
                    model, result[f"_{name}_channels"][mine])
            log(f"{scheme} fold {k + 1}: {len(held)} writers held out, trained on {keep.sum()} copies "
                f"({time.monotonic() - started:.0f} s)", flush=True)
    saved = {key: value for key, value in result.items() if not key.startswith("_")}
    import io

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **saved)
    out.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out / RESULTS, buffer.getvalue())
    return out / RESULTS


def _small(drawn: Drawings, per_writer: int) -> Drawings:
    """At most per_writer drawings of each of the first three writers of every site."""
    keep = np.zeros(len(drawn), bool)
    sites = site_of(drawn.writers)
    for site in sorted(set(sites)):
        for writer in sorted(set(drawn.writers[sites == site]))[:3]:
            keep[np.flatnonzero(drawn.writers == writer)[:per_writer]] = True
    return drawn.subset(keep)
