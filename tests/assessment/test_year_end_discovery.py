"""The assessment finds each app's year_end.py by discovery and imports no app above org directly."""

import ast
from pathlib import Path

from django.conf import settings

from assessment.sources import year_end_modules

APPS_ABOVE_ORG = {"supervision", "projects", "pairings"}


def test_every_apps_year_end_module_is_discovered_in_installed_apps_order():
    modules = year_end_modules()
    assert [module.__name__ for module in modules] == [
        "supervision.year_end",
        "projects.year_end",
        "pairings.year_end",
    ]
    assert [name for name in settings.INSTALLED_APPS if name in APPS_ABOVE_ORG] == [
        module.__name__.split(".")[0] for module in modules
    ]
    for module in modules:
        assert callable(module.year_sources) and callable(module.years)


def test_the_assessment_app_imports_none_of_the_apps_it_reads():
    root = Path(settings.BASE_DIR) / "assessment"
    imported = set()
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add((path.name, node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                imported.update((path.name, alias.name.split(".")[0]) for alias in node.names)
    assert {(name, module) for name, module in imported if module in APPS_ABOVE_ORG} == set()
    # The shared contract lives in the toolkit, which imports no app at all.
    contract = ast.parse(
        (Path(settings.BASE_DIR) / "branchtrack/web/year_end.py").read_text(encoding="utf-8")
    )
    modules = {node.module.split(".")[0] for node in ast.walk(contract) if isinstance(node, ast.ImportFrom)}
    assert modules <= {"__future__", "collections", "dataclasses", "django"}
