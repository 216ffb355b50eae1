"""The settings explorer's grid, read from exported_models/MANIFEST.json: per model kind, an "about
right" centre and, for Dropout Rate, Learning Rate and Max Epochs, the files that change just that."""
from __future__ import annotations

import json
import logging
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
AXES = ("dropout_rate", "learning_rate", "max_epochs")
# What a manifest may say, bounded: the shipped one is 55 KB with a few dozen epochs a model. A number out of
# range is left out (a history value of 1e308 raised OverflowError drawing the learning curve).
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_HISTORY = 1000  # epochs drawn on the learning curve
AXIS_RANGES = {"dropout_rate": (0.0, 1.0), "learning_rate": (0.0, 10.0), "max_epochs": (1, 10_000)}


@dataclass(frozen=True)
class GridModel:
    """One explorer model: its file and what the trainer recorded about it."""

    file: Path
    kind: str
    settings: dict
    mnist_accuracy: float | None
    drawn_accuracy: float | None
    history: tuple[dict, ...]


@dataclass(frozen=True)
class Grid:
    """For one kind: the centre, and per axis the values on offer mapped to their models."""

    kind: str
    centre: dict
    axes: dict[str, dict]  # axis -> {value: GridModel}

    def model_for(self, axis: str, value) -> GridModel:
        return self.axes[axis][value]

    def centre_model(self) -> GridModel:
        return self.axes[AXES[0]][self.centre[AXES[0]]]


def load(model_dir: Path) -> dict[str, Grid]:
    """Grids by kind ("cnn", "mlp"); empty if the manifest is missing or unreadable (logged)."""
    path = model_dir / "MANIFEST.json"
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise ValueError(f"over {MAX_MANIFEST_BYTES} bytes")
        manifest = json.loads(path.read_text(encoding="utf-8"))["models"]
        models = [_grid_model(model_dir / name, entry) for name, entry in manifest.items()
                  if isinstance(name, str) and isinstance(entry, dict)]
        models = [m for m in models if all(_in_range(m.settings.get(axis), *AXIS_RANGES[axis]) for axis in AXES)]
        grids = {}
        for kind in sorted({m.kind for m in models} & {"mlp", "cnn"}):  # the gate is not a setting to explore
            grid = _grid_for([m for m in models if m.kind == kind], kind)
            if grid is not None:
                grids[kind] = grid
        return grids
    # Valid JSON of the wrong shape (a list, a string where a dict was, settings that do not compare)
    # costs the explorer, never the kiosk.
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        log.error("no settings explorer: cannot use %s (%s: %s)", path, type(error).__name__, error)
        return {}


def _grid_model(path: Path, entry: dict) -> GridModel:
    meta = entry.get("metadata", {})
    meta = meta if isinstance(meta, dict) else {}
    settings, history = meta.get("train_settings", {}), meta.get("history", ())
    return GridModel(
        file=path,
        kind=str(meta.get("model_kind", "?")),
        settings=settings if isinstance(settings, dict) else {},
        mnist_accuracy=_number(meta.get("mnist_test_accuracy")),
        drawn_accuracy=_number(meta.get("drawn_dev_accuracy")),
        history=tuple(h for h in history if isinstance(h, dict) and _number(h.get("val_accuracy")) is not None)
        [:MAX_HISTORY] if isinstance(history, list) else (),
    )


def _number(value) -> float | None:
    """An accuracy: a number from 0 to 1, or None (missing, not a number, NaN, or out of range)."""
    return float(value) if _in_range(value, 0.0, 1.0) else None


def _in_range(value, low: float, high: float) -> bool:
    return type(value) in (int, float) and math.isfinite(value) and low <= value <= high


def _grid_for(models: list[GridModel], kind: str) -> Grid | None:
    # The family is the most common architecture of this kind (the explorer's MLP is smaller than
    # the shipped one); its centre is the most common value of each setting.
    def family_key(m):
        return m.settings.get("hidden_units") if kind == "mlp" else None

    family_value = Counter(family_key(m) for m in models).most_common(1)[0][0]
    family = [m for m in models if family_key(m) == family_value and not m.settings.get("limit_batches")]
    if not family:
        return None
    centre = {axis: Counter(m.settings.get(axis) for m in family).most_common(1)[0][0] for axis in AXES}
    axes: dict[str, dict] = {axis: {} for axis in AXES}
    for m in family:
        differing = [axis for axis in AXES if m.settings.get(axis) != centre[axis]]
        if not differing:
            for axis in AXES:
                axes[axis][centre[axis]] = m
        elif len(differing) == 1:
            axes[differing[0]][m.settings[differing[0]]] = m
    if any(centre[axis] not in axes[axis] for axis in AXES):
        return None
    return Grid(kind, centre, {axis: dict(sorted(values.items())) for axis, values in axes.items()})
