"""The tests mirror the packages: a test of the kiosk (tests/kiosk, tests/reliability) tests it through the kiosk,
never through the desktop trainer, so the kiosk's tests run where only the kiosk is installed."""
import ast

from conftest import PROJECT_ROOT

KIOSK_TESTS = [PROJECT_ROOT / "tests" / "kiosk", PROJECT_ROOT / "tests" / "reliability"]


def trainer_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        found += [name for name in names if name == "trainer" or name.startswith("trainer.")]
    return found


def test_no_kiosk_test_imports_the_trainer():
    files = [path for folder in KIOSK_TESTS for path in sorted(folder.rglob("*.py"))]
    offenders = {str(path.relative_to(PROJECT_ROOT)): names for path in files
                 if (names := trainer_imports(path.read_text(encoding="utf-8")))}
    assert not offenders, f"test these through the kiosk, or move them beside the trainer code they test: {offenders}"


def test_the_trainer_import_check_can_fail():
    assert trainer_imports("def f():\n    from trainer.retrain import holdout_mask\n") == ["trainer.retrain"]
    assert trainer_imports("import trainer\nimport kiosk.trainer_like\n") == ["trainer"]
    assert trainer_imports("from kiosk.retraining import nightly\n") == []

