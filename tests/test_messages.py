"""What the commands tell a user fits every install: a wheel has no README.md beside it and no `python -m trainer`
habit, so messages name the console commands and the docs by the path they have in the source."""
import ast
import pytest

from conftest import PROJECT_ROOT

WHEEL_UNFIT = ("README", "python -m trainer download")


def message_strings(path):
    """Every string literal in a module except docstrings: what it may print or raise."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


@pytest.mark.parametrize("package", ["kiosk", "trainer"])
def test_no_message_points_to_the_readme_or_python_m_trainer(package):
    found = [f"{path.relative_to(PROJECT_ROOT)}:{line}: {text!r}"
             for path in sorted((PROJECT_ROOT / package).rglob("*.py"))
             for line, text in message_strings(path) if any(word in text for word in WHEEL_UNFIT)]
    assert not found, "\n".join(found)

