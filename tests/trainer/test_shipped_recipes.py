"""digit-kiosk-trainer build-shipped: every shipped file has a recipe, and each recipe is the command that made it."""

import json
import shlex
import subprocess
import sys

from conftest import PROJECT_ROOT
from trainer.shipped_recipes import RECIPES, commands

MANIFEST = json.loads((PROJECT_ROOT / "exported_models" / "MANIFEST.json").read_text())["models"]


def made_by(argv: list[str]) -> set[str]:
    """The files one trainer command writes."""
    if argv[0] == "build-drawn-models":
        return {"cnn.onnx", "not_a_digit.onnx"}
    if argv[0] == "build-stroke-model":
        return {"strokes.onnx"}
    if argv[0] == "build-backwards-gate":
        return {"right_way_round.onnx"}
    flags = dict(zip(argv[1::2], argv[2::2]))
    name = flags.get("--name", flags["--model"])
    snapshots = [e for e in flags.get("--snapshot-epochs", "").split(",") if e]
    return {f"{name}.onnx", *(f"{name}-e{e}.onnx" for e in snapshots)}


def flag_pairs(argv: list[str]) -> set[tuple[str, str]]:
    return {pair for pair in zip(argv[1::2], argv[2::2]) if pair[0] not in ("--out", "--data-dir")}


def test_every_shipped_file_has_a_recipe():
    built = set().union(*(made_by(argv) for argv in commands(list(RECIPES), PROJECT_ROOT, None)))
    assert built == set(MANIFEST)


def test_each_trained_file_was_made_by_its_recipe():
    for argv in commands(list(RECIPES), PROJECT_ROOT, "mnist"):
        for name in made_by(argv):
            recorded = shlex.split(MANIFEST[name]["command"])
            if recorded[:4] == ["python", "-m", "trainer", "train"]:  # the fine-tuned CNN was remade by "drawn"
                assert flag_pairs(recorded[3:]) == flag_pairs(argv), name
            if recorded[1] == "build-stroke-model":  # the same command, plus where it trained (--device, --workers)
                assert flag_pairs(argv) <= flag_pairs(recorded[1:]), name


def test_dry_run_prints_the_commands_and_runs_none(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "trainer", "build-shipped", "--dry-run", "--out", str(tmp_path), "mlp", "drawn"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"$ digit-kiosk-trainer {shlex.join(argv)}" for argv in commands(["mlp", "drawn"], tmp_path, None)
    ]
    assert not any(tmp_path.iterdir())
    refused = subprocess.run(
        [sys.executable, "-m", "trainer", "build-shipped", "bogus"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert refused.returncode == 2 and "cnn-grid" in refused.stderr
