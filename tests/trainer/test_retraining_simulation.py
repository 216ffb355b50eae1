"""digit-kiosk-trainer simulate-retraining: new children must be measured from a model that never saw them."""

import subprocess
import sys

from conftest import PROJECT_ROOT


def test_the_shipped_cnn_is_refused_as_a_base_it_has_seen_every_writer(tmp_path, drawn_dir):
    out = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, "-m", "trainer", "simulate-retraining", "--drawings", "10", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    assert done.returncode == 2 and "fine-tuned on these very writers" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not out.exists()
