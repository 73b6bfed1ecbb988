"""Modules that apps contribute by name: `<app>.navigation`, `<app>.demo`, `<app>.year_end`.

One way to find them everywhere: Django's `autodiscover_modules` (as the admin finds `admin.py`),
so a new app plugs in by adding a module, never by being listed somewhere by hand. An app without
the module is skipped; an error raised inside one is raised, not hidden.
"""

from __future__ import annotations

import sys
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


def app_modules(module_name: str) -> list[ModuleType]:
    """Every installed app's `<app>.<module_name>`, in INSTALLED_APPS order."""
    autodiscover_modules(module_name)
    found = (sys.modules.get(f"{config.name}.{module_name}") for config in apps.get_app_configs())
    return [module for module in found if module is not None]


def app_label_of(module: ModuleType) -> str:
    """The label of the app a discovered module belongs to."""
    return apps.get_containing_app_config(module.__name__).label
