"""The permission matrix: role x URL x own/foreign object -> the status the design promises.

Each Case names a page, builds its URL from the objects of a `World` (the `org` fixture plus
whatever the feature apps add), and lists the status for every role. A role not listed gets the
case's `default`. Anonymous visitors are always sent to log in (302) unless the case says otherwise.

Conventions (DESIGN.md "Roles"): a page the role has no business on answers 403; an object outside
the user's scope answers 404, so its existence does not leak; a filter pointing outside the scope
answers 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "admin", "unit_admin", "staff", "unit_staff", "reviewer", "secretary")
STAFF_ROLES = ("admin", "unit_admin", "staff", "unit_staff")


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[object], str]
    default: int
    statuses: dict[str, int] = field(default_factory=dict)
    method: str = "get"
    data: Callable[[object], dict] | None = None

    def expected(self, role: str) -> int:
        if role in self.statuses:
            return self.statuses[role]
        return 302 if role == "anonymous" else self.default


def only(roles, status=200, others=403, **overrides) -> dict[str, int]:
    """Statuses where `roles` get `status`, the other logged-in roles `others`."""
    statuses = {role: (status if role in roles else others) for role in ROLES if role != "anonymous"}
    statuses.update(overrides)
    return statuses
