"""Where code may import from: the package never from the tests, the tests never from the
benchmarks (the benchmarks may use the testbed; what both need lives in tests/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Every module an `import` or `from … import` in the file names (absolute imports)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def offending_imports(folder: str, forbidden: str) -> list[str]:
    return sorted(
        f"{path.relative_to(PROJECT)}: {module}"
        for path in (PROJECT / folder).rglob("*.py")
        for module in imported_modules(path)
        if module == forbidden or module.startswith(forbidden + ".")
    )


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [("pbx_bridge", "tests"), ("pbx_bridge", "benchmarks"), ("tests", "benchmarks")],
)
def test_no_module_imports_from_a_layer_above_it(folder: str, forbidden: str) -> None:
    assert offending_imports(folder, forbidden) == []


def test_the_check_sees_an_import_from_a_layer_above(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom benchmarks.figures import ms\nfrom . import sibling\n")
    assert imported_modules(module) == {"os", "benchmarks.figures"}
