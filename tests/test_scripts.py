"""scripts/ holds only what a person runs by hand; builders are trainer subcommands and the benchmarks
one package with one entry point (python -m benchmarks), which nothing shipped imports."""

import ast
import json
import subprocess
import sys
import tomllib

import pytest

from conftest import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "scripts"
BENCHMARKS = PROJECT_ROOT / "benchmarks"
MAX_SCRIPTS = 8  # kiosk.sh, test.sh, install_pi.sh, check_arm64.sh and at most four more


def edits_sys_path(source: str) -> bool:
    """Whether Python source changes sys.path (insert, append, assignment), the habit of scripts run by file path."""
    for node in ast.walk(ast.parse(source)):
        target = node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            target = next((t for t in targets if isinstance(t, ast.Attribute)), None)
        if isinstance(target, ast.Attribute) and target.attr == "path" and getattr(target.value, "id", None) == "sys":
            return True
    return False


def test_scripts_holds_only_what_a_person_runs_by_hand():
    files = sorted(p.name for p in SCRIPTS.iterdir() if p.is_file())
    assert len(files) <= MAX_SCRIPTS, f"scripts/ has {len(files)} files; builders belong in the trainer CLI: {files}"
    assert {"kiosk.sh", "test.sh", "install_pi.sh", "check_arm64.sh"} <= set(files)


def test_no_script_or_benchmark_edits_sys_path():
    sources = [*SCRIPTS.glob("*.py"), *BENCHMARKS.glob("*.py")]
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in sources if edits_sys_path(p.read_text(encoding="utf-8"))]
    assert not offenders, f"run them as modules (python -m ...) instead: {offenders}"


def test_the_sys_path_check_can_fail():
    assert edits_sys_path("import sys\nsys.path.insert(0, '..')\n")
    assert edits_sys_path("import sys\nsys.path += ['..']\n")
    assert not edits_sys_path("import sys\nprint(sys.argv)\n")


def test_nothing_shipped_imports_the_benchmarks_and_the_wheel_leaves_them_out():
    for top in ("kiosk", "trainer"):
        for path in (PROJECT_ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                )
                assert not any(n.split(".")[0] == "benchmarks" for n in names), f"{path} imports benchmarks"
    packages = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert not any(p.split(".")[0] == "benchmarks" for p in packages), "benchmarks are for developers, not the wheel"
    assert ast.get_docstring(ast.parse((BENCHMARKS / "__init__.py").read_text())), "say what lives there and may import"


def test_every_benchmark_is_listed_and_runs_by_name():
    listed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--list"], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert {
        "inference",
        "frames",
        "kiosk",
        "live-training",
        "training",
        "voice",
        "unsure",
        "drawing-session",
        "session-memory",
        "turns",
        "all",
    } <= set(names)
    unknown = subprocess.run(
        [sys.executable, "-m", "benchmarks", "nonsense"], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60
    )
    assert unknown.returncode == 2 and "inference" in unknown.stderr


@pytest.mark.slow  # a real run: a benchmark over every drawn digit
def test_a_benchmark_prints_json(tmp_path, drawn_dir):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "inference",
            "--repeats",
            "1",
            "--drawn-dir",
            str(drawn_dir),
            "--out",
            str(tmp_path / "out.json"),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed == json.loads((tmp_path / "out.json").read_text())
    assert set(printed["results"]) >= {"cnn", "mlp", "kiosk answer"}
