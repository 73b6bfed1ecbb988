"""Navigation collected from every app's `navigation.NAV_ITEMS` (discovered), showing each user only
the pages they may open.

Who may open a page is said once, by the guard on its view (`org.permissions.role_required`,
`company_admin_required`): the guard records its predicate with `guard_view`, and the menu resolves
each item's URL to its view and asks that predicate. A view without a recorded guard is open to
everyone signed in. There is no second list of roles to keep in step.

Each app owns its own entries, so adding a page never means editing a shared template. Entries are
grouped by campaign (one menu per app), so the header stays one line however many pages there are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, get_urlconf, resolve, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from branchtrack.web.discovery import app_label_of, app_modules

# The attribute a page guard leaves on its view: a function(user) -> bool.
GUARD_ATTRIBUTE = "page_guard"


def guard_view(view, predicate):
    """Record on `view` who may open it (decorators built with functools.wraps carry it outwards)."""
    setattr(view, GUARD_ATTRIBUTE, predicate)
    return view


def may_open(view, user) -> bool:
    """Would the view's guard let this signed-in user in?"""
    predicate = getattr(view, GUARD_ATTRIBUTE, None)
    return predicate is None or bool(predicate(user))


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
    description: str = ""
    order: int = 100
    group: str = ""  # a menu of its own; empty: the menu of the app that declares the item
    # Dotted path of a function(user) -> str: a live line on the item's home-page card ("3 due today").
    badge: str = ""
    summary: str = ""  # that line, filled in by `with_badges` for one user

    def url(self) -> str:
        return _reversed(self.url_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())[0]

    def view(self):
        """The view function the item's URL leads to (its guard decides who sees the item)."""
        return _reversed(self.url_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())[1]


@lru_cache(maxsize=256)
def _reversed(url_name: str, urlconf: str, script_prefix: str):
    # The menu reverses some fifty names on every page; they change only with the urlconf or prefix.
    url = reverse(url_name, urlconf=urlconf)
    try:
        view = resolve(url[len(script_prefix) - 1 :] if script_prefix != "/" else url, urlconf=urlconf).func
    except Resolver404:  # pragma: no cover - a name that reverses always resolves back
        view = None
    return url, view


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
    visible = []
    for item in _all_items():
        try:
            view = item.view()
        except NoReverseMatch:
            continue
        if view is not None and may_open(view, user):
            visible.append(item)
    return visible


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
