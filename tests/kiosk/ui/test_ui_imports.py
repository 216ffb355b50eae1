"""The look's modules import one way: colours and text at the bottom, theme above them, widgets above that
(theme once imported widgets to clear its text cache, and widgets imported theme: a circle)."""

import ast

from conftest import PROJECT_ROOT

UI = PROJECT_ROOT / "kiosk" / "ui"


def ui_imports(path):
    """The kiosk.ui modules a file imports, at any depth (lazily too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "kiosk.ui":
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kiosk.ui."):
            found.add(node.module.split(".")[2])
    return found


def test_no_module_of_the_look_imports_itself_back():
    graph = {p.stem: ui_imports(p) - {p.stem} for p in UI.glob("*.py") if p.stem != "__init__"}
    cycles = []

    def visit(module, path):
        for other in graph.get(module, ()):
            if other == path[0]:
                cycles.append(" -> ".join(path + [other]))
            elif other not in path:
                visit(other, path + [other])

    for module in graph:
        visit(module, [module])
    assert graph["theme"] <= {"text", "colours"} and not cycles, cycles
