"""The house rules: the kiosk runs on a Pi without torch, and data flows one way through packages
by capability (recognition, language, voice, teaching below; ui, screens, app above).

Importing any kiosk module must not pull torch, the trainer or build-time tools (gTTS, soundfile,
Babel) in; the lower packages need no pygame display; each package imports only what its
`__init__` docstring allows, held here by reading the imports of every module.
"""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kiosk
from conftest import PROJECT_ROOT

KIOSK_DIR = PROJECT_ROOT / "kiosk"
# What each part of kiosk/ may import from kiosk/ (besides itself). Lower layers first.
ALLOWED = {
    "errors": set(),
    "atomic_write": set(),
    "native_output": set(),
    "log_file": set(),
    "language": set(),
    "config": {"errors", "language"},
    "event_log": {"errors", "atomic_write"},
    "replay": {"errors"},
    "input": set(),
    "recognition": {"errors", "config", "atomic_write"},
    "teaching": {"errors", "atomic_write", "recognition"},
    "learning": {"errors", "recognition", "atomic_write"},
    "insight": {"errors", "recognition", "learning"},
    "retraining": {"errors", "atomic_write", "config", "recognition", "learning", "teaching"},
    "fleet": {"errors", "atomic_write", "config", "recognition", "learning", "teaching", "retraining"},
    "voice": {"errors", "atomic_write", "language", "native_output"},
    "service": {"errors", "config", "recognition"},
    "session": {"errors", "event_log", "language", "recognition", "teaching"},
    "ui": {"errors", "input", "language", "recognition"},
    "screens": {
        "errors",
        "config",
        "event_log",
        "input",
        "language",
        "recognition",
        "teaching",
        "voice",
        "ui",
        "learning",
        "insight",
        "session",
        "atomic_write",
    },
    "app": {
        "errors",
        "config",
        "event_log",
        "input",
        "replay",
        "language",
        "recognition",
        "teaching",
        "voice",
        "ui",
        "screens",
        "service",
        "native_output",
    },
    "__main__": {"errors", "config", "replay", "app", "service", "log_file", "retraining", "fleet"},
}
NO_PYGAME = (
    "kiosk.recognition",
    "kiosk.learning",
    "kiosk.insight",
    "kiosk.retraining",
    "kiosk.fleet",
    "kiosk.language",
    "kiosk.teaching",
    "kiosk.errors",
    "kiosk.atomic_write",
    "kiosk.config",
    "kiosk.replay",
    "kiosk.event_log",
    "kiosk.native_output",
    "kiosk.log_file",
    "kiosk.session",
)


def imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    return set(result.stdout.split())


def all_kiosk_modules() -> list[str]:
    def fail(name):
        raise ImportError(f"cannot import {name}")

    return [m.name for m in pkgutil.walk_packages(kiosk.__path__, prefix="kiosk.", onerror=fail)]


def part_of(module: str) -> str:
    """kiosk.voice.live -> voice; kiosk.config -> config."""
    return module.split(".")[1]


def kiosk_imports(path: Path) -> set[str]:
    """The kiosk modules a source file imports (at any depth, lazily or not)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kiosk":
            if node.module != "kiosk":
                found.add(node.module)
            else:  # from kiosk import version (the package's own) / from kiosk import replay (a module)
                found |= {f"kiosk.{a.name}" for a in node.names if is_module(f"kiosk.{a.name}")}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "kiosk"}
    return found


def is_module(name: str) -> bool:
    path = PROJECT_ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def source_files() -> list[Path]:
    return sorted(p for p in KIOSK_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_kiosk_module_imports_torch_or_the_trainer():
    names = all_kiosk_modules()
    assert names, "no kiosk modules found"
    loaded = imported_after("; ".join(f"import {name}" for name in names))
    forbidden = {
        m for m in loaded if m.split(".")[0] in ("torch", "trainer", "onnx", "sklearn", "gtts", "soundfile", "babel")
    }
    assert not forbidden, f"the kiosk pulled in {sorted(forbidden)[:5]}"


def test_the_lower_packages_need_no_pygame():
    modules = [m for m in all_kiosk_modules() if m.startswith(NO_PYGAME)]
    assert len(modules) >= 15, modules
    loaded = imported_after("; ".join(f"import {name}" for name in modules))
    assert "pygame" not in loaded


def test_every_part_of_the_kiosk_is_placed_in_the_layers():
    parts = {path.relative_to(KIOSK_DIR).parts[0].removesuffix(".py") for path in source_files()}
    assert parts - {"__init__"} == set(ALLOWED), "add the new package to ALLOWED (and say why in its docstring)"


def test_each_package_imports_only_what_it_may():
    broken = []
    for path in source_files():
        module = ".".join(("kiosk", *path.relative_to(KIOSK_DIR).with_suffix("").parts))
        if module == "kiosk.__init__":
            continue
        own = part_of(module)
        for imported in kiosk_imports(path):
            other = part_of(imported)
            if other != own and other not in ALLOWED[own]:
                broken.append(f"{module} imports {imported}")
    assert not broken, "imports against the layers:\n" + "\n".join(broken)


def test_only_the_top_layers_touch_the_display_or_the_event_queue():
    # voice may use pygame.mixer; only input, ui, screens and app see the display and events, and the
    # service's runtime probe, which initializes the video driver in a child process, never in the kiosk's.
    allowed = ("input", "ui", "screens", "app", "service")
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in source_files()
        if path.relative_to(KIOSK_DIR).parts[0].removesuffix(".py") not in allowed
        and any(word in path.read_text(encoding="utf-8") for word in ("pygame.display", "pygame.event", "pygame.font"))
    ]
    assert not offenders


def test_the_layer_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from kiosk.screens.draw import DrawScreen\nfrom kiosk import replay, version\n")
    assert kiosk_imports(bad) == {"kiosk.screens.draw", "kiosk.replay"}  # version() is the package's own
    assert "screens" not in ALLOWED["recognition"]


@pytest.mark.parametrize(
    "package", ["recognition", "learning", "insight", "retraining", "voice", "language", "teaching", "ui", "screens"]
)
def test_each_package_says_what_lives_there(package):
    doc = ast.get_docstring(ast.parse((KIOSK_DIR / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc) > 40
