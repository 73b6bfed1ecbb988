"""The layers of docs/architecture.md, checked on the source: no module imports a layer above its own.

branchtrack.web (the toolkit) <- org <- security, supervision, projects, pairings <- assessment, api,
notifications. The apps of the middle layer import only org and the toolkit, never each other;
assessment imports none of them either (it discovers each app's year_end.py); api and notifications
may import any app below them. Every import counts,
also one inside a function (a deferred import hides a cycle, it does not remove it). Migrations are
left out: they name the models they depend on, whatever the layer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROJECT = "branchtrack"  # settings, urls, celery, admin site: it wires every app together
TOOLKIT = "branchtrack.web"
MIDDLE = ("security", "supervision", "projects", "pairings")
TOP = ("api", "notifications", "operations")

# What each layer may import, besides the standard library and third-party packages.
ALLOWED: dict[str, set[str]] = {
    TOOLKIT: {TOOLKIT},
    "org": {TOOLKIT, "org"},
    **{app: {TOOLKIT, "org", app} for app in MIDDLE},
    "assessment": {TOOLKIT, "org", "assessment"},
    **{app: {TOOLKIT, "org", *MIDDLE, "assessment", app} for app in TOP},
}

# Imports that break the layers today, as (importing layer, imported layer), each with who removes it.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, as a dotted path
    target: str  # the imported module, as a dotted path
    line: int


def first_party(target: str) -> str | None:
    """The layer a dotted module path belongs to, or None if it is not ours."""
    if target == TOOLKIT or target.startswith(TOOLKIT + "."):
        return TOOLKIT
    top = target.split(".")[0]
    if top == PROJECT:
        return PROJECT
    if top in ALLOWED:
        return top
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[Import]:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(Import(name, alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # `from projects import selectors` imports projects.selectors: name both.
            found.append(Import(name, target, node.lineno))
            found.extend(Import(name, f"{target}.{alias.name}", node.lineno) for alias in node.names)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            found.append(Import(name, node.args[0].value, node.lineno))
    return found


def _is_dynamic_import(node: ast.Call) -> bool:
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return (
        called in {"import_module", "import_string"}
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def layer_of(module: str) -> str:
    layer = first_party(module)
    assert layer is not None, module
    return layer


def source_files() -> list[Path]:
    roots = [ROOT / "branchtrack" / "web", *(ROOT / layer for layer in ALLOWED if "." not in layer)]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*.py")
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    )


def violations() -> list[tuple[str, Import, str]]:
    """(importing layer, the import, imported layer) for every import the layers forbid."""
    found = []
    for path in source_files():
        for imp in imports_of(path):
            layer = layer_of(imp.module)
            target_layer = first_party(imp.target)
            if target_layer is not None and target_layer not in ALLOWED[layer]:
                found.append((layer, imp, target_layer))
    return found


def test_no_module_imports_a_layer_above_its_own_or_a_sibling_app():
    broken: dict[tuple[str, int], str] = {}
    for layer, imp, target_layer in violations():
        if (layer, target_layer) not in KNOWN_VIOLATIONS:
            broken.setdefault((imp.module, imp.line), f"{imp.module}:{imp.line} imports {imp.target}")
    if broken:
        pytest.fail("imports against the layers:\n" + "\n".join(sorted(broken.values())))


def test_every_app_has_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} - {PROJECT}
    assert apps <= set(ALLOWED), f"give {apps - set(ALLOWED)} a layer in ALLOWED"


def test_every_known_violation_still_exists():
    # A violation that is gone must leave KNOWN_VIOLATIONS, so that it cannot come back unnoticed.
    still = {(layer, target_layer) for layer, _imp, target_layer in violations()}
    assert KNOWN_VIOLATIONS - still == set()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import projects.selectors", ["projects.selectors"]),
        (
            "def f():\n    from projects.selectors import ranking\n",
            ["projects.selectors", "projects.selectors.ranking"],
        ),
        ("from . import models", ["supervision", "supervision.models"]),
        ("from ..list_page import page", ["branchtrack.web.list_page", "branchtrack.web.list_page.page"]),
        ("import_module('pairings.selectors')", ["pairings.selectors"]),
    ],
)
def test_the_checker_sees_every_kind_of_import(tmp_path, monkeypatch, source, expected):
    package = tmp_path / "supervision"
    package.mkdir()
    module = package / "views.py"
    module.write_text(source, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    if source.startswith("from ..l"):
        nested = tmp_path / "branchtrack" / "web" / "sub"
        nested.mkdir(parents=True)
        module = nested / "mod.py"
        module.write_text(source, encoding="utf-8")
    assert [imp.target for imp in imports_of(module)] == expected
