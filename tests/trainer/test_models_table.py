"""digit-kiosk-trainer models-table: every shipped file is a row, the gate included, and a closed pipe is no error."""

import json
import os
import subprocess
import sys

from conftest import PROJECT_ROOT
from trainer.models_table import models_table

MANIFEST = PROJECT_ROOT / "exported_models" / "MANIFEST.json"


def test_every_shipped_file_is_a_row_and_the_gate_says_what_it_is():
    names = json.loads(MANIFEST.read_text())["models"]
    table = models_table(MANIFEST)
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith(("| file", "| ---"))]
    assert sorted(row.split(" | ")[0].removeprefix("| ") for row in rows) == sorted(names)
    gate = next(row for row in rows if row.startswith("| not_a_digit.onnx"))
    assert "| gate |" in gate and "called not a number" in gate
    assert f"{len(names)} files" in table


def test_a_closed_pipe_is_not_an_error():
    """`digit-kiosk-trainer models-table | head -1`: the reader has gone before the table is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "trainer", "models-table"],
            stdout=write_end,
            cwd=PROJECT_ROOT,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
