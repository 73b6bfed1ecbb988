"""Navigation collected from every app's `navigation.NAV_ITEMS` (discovered), filtered by the user's role.

The toolkit knows no app: a role is a plain string, and the user object answers `effective_role`
and `is_company_level` (org.models.User does).

Each app owns its own entries, so adding a page never means editing a shared template. Entries are
grouped by campaign (one menu per app), so the header stays one line however many pages there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from branchtrack.web.discovery import app_label_of, app_modules

EVERY_ROLE = "*"
# An item for everyone signed in; otherwise list the role names (plain strings) that see it.
ALL_ROLES: frozenset[str] = frozenset({EVERY_ROLE})

ADMINISTRATION = "administration"
# Menu titles by app label, in the order the menus appear.
GROUP_LABELS = {
    "branchtrack": _("Organisation"),
    "supervision": _("Supervision visits"),
    "projects": _("Branch projects"),
    "pairings": _("Pairings"),
    ADMINISTRATION: _("Administration"),
}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = field(default=ALL_ROLES)
    description: str = ""
    order: int = 100
    group: str = ""  # a menu of its own; empty: the menu of the app that declares the item
    company_level_only: bool = False  # pages about the whole company, hidden from unit-level users
    # Dotted path of a function(user) -> str: a live line on the item's home-page card ("3 due today").
    badge: str = ""
    summary: str = ""  # that line, filled in by `with_badges` for one user

    def url(self) -> str:
        return _reversed(self.url_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=256)
def _reversed(url_name: str, urlconf: str, script_prefix: str) -> str:
    # The menu reverses some fifty names on every page; they change only with the urlconf or prefix.
    return reverse(url_name, urlconf=urlconf)


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    items: tuple[NavItem, ...]


@lru_cache(maxsize=1)
def _all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for module in app_modules("navigation"):
        label = app_label_of(module)
        for item in getattr(module, "NAV_ITEMS", ()):
            group = item.group or (label if label in GROUP_LABELS else ADMINISTRATION)
            items.append(replace(item, group=group))
    return tuple(sorted(items, key=lambda item: item.order))


def nav_items_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        _items_for_role(
            user.effective_role,
            user.is_company_level,
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
        )
    )


@lru_cache(maxsize=64)
def _items_for_role(
    role: str, is_company_level: bool, urlconf: str, script_prefix: str
) -> tuple[NavItem, ...]:
    # Built once per role (and level) and process: the labels are lazy, so one list serves every language.
    visible = []
    for item in _all_items():
        if (EVERY_ROLE not in item.roles and role not in item.roles) or (
            item.company_level_only and not is_company_level
        ):
            continue
        try:
            item.url()
        except NoReverseMatch:
            continue
        visible.append(item)
    return tuple(visible)


def nav_groups_for(items: list[NavItem]) -> list[NavGroup]:
    """The items as menus, in GROUP_LABELS order; the home page is not in any menu."""
    groups = []
    for key, label in GROUP_LABELS.items():
        members = tuple(item for item in items if item.group == key and item.url_name != "home")
        if members:
            groups.append(NavGroup(key=key, label=label, items=members))
    return groups


def with_badges(items: list[NavItem], user) -> list[NavItem]:
    """The items with their badge line computed for `user` (the home page's cards; menus skip it)."""
    return [
        replace(item, summary=str(import_string(item.badge)(user))) if item.badge else item for item in items
    ]


def navigation(request) -> dict:
    """Template context processor."""
    user = getattr(request, "user", None)
    items = nav_items_for(user) if user is not None else []
    return {"nav_items": items, "nav_groups": nav_groups_for(items)}
