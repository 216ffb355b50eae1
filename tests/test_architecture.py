"""The kiosk runs on a Pi without torch: importing any kiosk module must not pull torch, the trainer or build-time tools (gTTS, soundfile, Babel) in."""
import pkgutil
import subprocess
import sys

import kiosk
from conftest import PROJECT_ROOT

PURE_MODULES = ("kiosk.preprocess", "kiosk.model_contract", "kiosk.errors", "kiosk.atomic_write")


def imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    return set(result.stdout.split())


def test_no_kiosk_module_imports_torch_or_the_trainer():
    def fail(name):
        raise ImportError(f"cannot import {name}")

    names = [m.name for m in pkgutil.walk_packages(kiosk.__path__, prefix="kiosk.", onerror=fail)]
    assert names, "no kiosk modules found"
    loaded = imported_after("; ".join(f"import {name}" for name in names))
    forbidden = {m for m in loaded if m.split(".")[0] in ("torch", "trainer", "onnx", "sklearn", "gtts", "soundfile", "babel")}
    assert not forbidden, f"the kiosk pulled in {sorted(forbidden)[:5]}"


def test_preprocessing_needs_no_pygame():
    loaded = imported_after("; ".join(f"import {name}" for name in PURE_MODULES))
    assert "pygame" not in loaded
