"""Navigation collected from every app's `navigation.NAV_ITEMS`, filtered by the user's role.

Each app owns its own entries, so adding a page never means editing a shared template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from branchtrack.models import Role

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = field(default=ALL_ROLES)
    description: str = ""
    order: int = 100

    def url(self) -> str:
        return reverse(self.url_name)


NAV_ITEMS = [
    NavItem(_("Home"), "home", order=0),
    NavItem(
        _("Party branches"),
        "branch_list",
        roles=frozenset({Role.ADMIN, Role.STAFF}),
        description=_("All branches in your scope, filterable by unit."),
        order=10,
    ),
    NavItem(
        _("Import organisation"),
        "org_import",
        roles=frozenset({Role.ADMIN}),
        description=_("Upload units, branches and departments from Excel or CSV."),
        order=900,
    ),
]


@lru_cache(maxsize=1)
def _all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.navigation")
        except ModuleNotFoundError:
            continue
        items.extend(getattr(module, "NAV_ITEMS", ()))
    return tuple(sorted(items, key=lambda item: item.order))


def nav_items_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    role = Role.ADMIN if user.is_superuser else user.role
    visible = []
    for item in _all_items():
        if role not in item.roles:
            continue
        try:
            item.url()
        except NoReverseMatch:
            continue
        visible.append(item)
    return visible


def navigation(request) -> dict:
    """Template context processor."""
    user = getattr(request, "user", None)
    return {"nav_items": nav_items_for(user) if user is not None else []}
