"""The right-way-round gate: is this picture a digit as digits are written, or a mirrored digit or a letter?

Read on both views of a drawing, it tells a backwards 3 from an E: the mirror of a backwards 3 is a 3 the
right way round, the mirror of an E is a mirrored letter. An image digit model cannot: to it a mirrored E is
a fine 3. Taught on MNIST and the drawn digits (a digit), against mirrored digits 2-7 and 9, letters and
mirrored letters (drawn and stroke-font); 0, 1 and 8 mirrored are digits too. Only the writers the shipped
CNN already learned from are used, so every other writer stays new to both models.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition.backwards import BACKWARDS_DIGITS
from kiosk.recognition.preprocess import fit_and_center
from trainer import drawings, not_digits
from trainer.drawings import Drawings
from trainer.drawn_training import DrawnSettings, Gate, _epoch, fresh_gate, gate_negatives, probabilities

MNIST_PER_EPOCH = 12_000  # right-way-round MNIST digits per epoch; as many mirrored ones against them
FONT_LETTERS = 3_000  # stroke-font letters per epoch, and as many mirrored: many more hands than 13 writers


def mirror_drawings(drawn: Drawings) -> Drawings:
    """Each drawing turned left-right (its strokes stay in 0..1, x right)."""
    flipped = []
    for strokes in drawn.strokes:
        right = max(float(s[:, 0].max()) for s in strokes)
        flipped.append([np.column_stack([right - s[:, 0], s[:, 1]]).astype(np.float32) for s in strokes])
    return Drawings(flipped, drawn.labels, drawn.writers)


def mirror_images(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 pictures turned left-right and centred again as the kiosk centres a drawing."""
    out = np.zeros_like(images)
    for i, image in enumerate(images):
        try:
            out[i] = fit_and_center(np.ascontiguousarray(image[:, ::-1]))
        except EmptyDrawing:
            pass
    return out


def _font_letters(count: int, rng: np.random.Generator) -> np.ndarray:
    return np.stack([not_digits.font_letter_image(rng) for _ in range(count)])


def epoch_parts(mnist_images, mnist_labels, digits: Drawings, letters: Drawings, rng: np.random.Generator,
                copies: int = 3) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """One epoch's (images, label 0 = a digit the right way round / 1 = not, MNIST-like) parts."""
    backwards = np.isin(mnist_labels, BACKWARDS_DIGITS)
    upright = mnist_images[rng.choice(len(mnist_images), MNIST_PER_EPOCH, replace=False)]
    flipped = mirror_images(mnist_images[rng.choice(np.flatnonzero(backwards), MNIST_PER_EPOCH, replace=False)])
    drawn_back = digits.subset(np.isin(digits.labels, BACKWARDS_DIGITS))
    letter_drawings = gate_negatives(letters)
    fonts = _font_letters(FONT_LETTERS, rng)
    positives = [drawings.images(digits, rng, copies=copies),
                 drawings.images(mirror_drawings(digits.subset(~np.isin(digits.labels, BACKWARDS_DIGITS))), rng)]
    negatives = [drawings.images(mirror_drawings(drawn_back), rng, copies=copies),
                 drawings.images(letter_drawings, rng, strength=1.3),
                 drawings.images(mirror_drawings(letter_drawings), rng, strength=1.3),
                 fonts, mirror_images(_font_letters(FONT_LETTERS, rng))]
    parts = [(upright, np.zeros(len(upright)), True), (flipped, np.ones(len(flipped)), True)]
    parts += [(p, np.zeros(len(p)), False) for p in positives] + [(n, np.ones(len(n)), False) for n in negatives]
    return parts


def train(mnist_images, mnist_labels, digits: Drawings, letters: Drawings, epochs: int = 4,
          settings: DrawnSettings = DrawnSettings(), log=print) -> Gate:
    """The right-way-round gate, trained on the given writers' digits and letters and on MNIST."""
    gate, optimizer, generator, rng = fresh_gate(settings, rng_offset=2)
    for epoch in range(epochs):
        for group in optimizer.param_groups:
            group["lr"] = settings.gate_learning_rate * 0.5**epoch
        parts = epoch_parts(mnist_images, mnist_labels, digits, letters, rng)
        loss = _epoch(gate, optimizer, parts, settings, rng, generator)
        log(f"  right-way-round gate epoch {epoch + 1}/{epochs}: loss {loss:.4f} "
            f"({sum(len(p[1]) for p in parts)} pictures)")
    return gate.eval()


def build(out: Path, epochs: int = 4, command: str = "digit-kiosk-trainer build-backwards-gate") -> Path:
    """Train the right-way-round gate on the writers the shipped CNN learned from, verify it on onnxruntime,
    and write it (atomically) into out with its MANIFEST entry."""
    import hashlib

    from kiosk.atomic_write import write_bytes_atomic
    from kiosk.config import KioskConfig
    from kiosk.learning import mnist
    from kiosk.recognition.backwards import GATE_FILE
    from kiosk.recognition.preprocess import to_model_input
    from trainer.drawn_training import check_gate_parity, gate_metadata, gate_to_onnx_bytes
    from trainer.export import update_manifest
    from trainer.unseen_writers import trained_writers

    writers = sorted(trained_writers(KioskConfig.load(None).model_dir_path))
    digits, letters = drawings.load_digits(), drawings.load_letters()
    digits, letters = (d.subset(np.isin(d.writers, writers)) for d in (digits, letters))
    data, settings = mnist.load(), DrawnSettings()
    gate = train(data.train_images, data.train_labels, digits, letters, epochs, settings)
    flipped = mirror_images(data.test_images[np.isin(data.test_labels, BACKWARDS_DIGITS)])
    upright_wrong = float((probabilities(gate, data.test_images)[:, 1] >= 0.5).mean())
    flipped_caught = float((probabilities(gate, flipped)[:, 1] >= 0.5).mean())
    extra = {"question": "is this a digit the right way round? [yes, no: a mirrored digit or a letter]",
             "mnist_test_upright_called_not": f"{upright_wrong:.6f}",
             "mnist_test_mirrored_called_not": f"{flipped_caught:.6f}"}
    onnx_bytes = gate_to_onnx_bytes(gate, gate_metadata(settings, writers, extra))
    difference = check_gate_parity(gate, onnx_bytes, to_model_input(data.test_images[:256]))
    write_bytes_atomic(out / GATE_FILE, onnx_bytes)
    update_manifest(out / "MANIFEST.json", GATE_FILE, {
        "sha256": hashlib.sha256(onnx_bytes).hexdigest(), "bytes": len(onnx_bytes), "parity_max_abs_diff": difference,
        "parity_images": 256, "command": command, "metadata": {"model_kind": "gate", **extra}})
    print(f"{GATE_FILE}: MNIST test digits called not right way round {100 * upright_wrong:.2f}%, mirrored 2-7 "
          f"and 9 caught {100 * flipped_caught:.2f}% (parity {difference:.1e})")
    return out / GATE_FILE
