"""The layers of docs/architecture.md, checked on the code's own imports: a module that reaches
up (a service importing fastapi, a route importing another route) fails here."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def modules(folder: str) -> Iterator[Path]:
    yield from sorted((ROOT / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module the file imports, wherever in the file (inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def reaching(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(folder)
        for name in sorted(imported(path))
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


WEB = ("fastapi", "starlette", "uvicorn")

RULES = [
    ("matcher", ("api", "models", "scenarios", "sqlalchemy", *WEB)),
    ("scenarios", ("api", "models", "sqlalchemy", *WEB)),
    ("models", ("api", *WEB)),
    ("api/schemas", ("api.services", "api.web", "api.worker", "api.cli", *WEB)),
    ("api/services", ("api.web", "api.worker", "api.cli", *WEB)),
    ("api/worker", ("api.web", "api.cli", *WEB)),
]


@pytest.mark.parametrize(("folder", "forbidden"), RULES, ids=[folder for folder, _ in RULES])
def test_no_layer_reaches_up(folder: str, forbidden: tuple[str, ...]) -> None:
    assert list(modules(folder)), f"{folder} has no modules"
    assert reaching(folder, forbidden) == []


def test_no_route_module_imports_another() -> None:
    found = [
        f"{path.name} imports {name}"
        for path in modules("api/web/routes")
        for name in imported(path)
        if name.startswith("api.web.routes.")
    ]
    assert found == []


def test_the_check_sees_an_import_that_reaches_up(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from fastapi import Depends\n    return Depends\n")
    assert "fastapi" in imported(module)
