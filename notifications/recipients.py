"""Who hears of an event, looked up in bulk (a constant number of queries per batch of events)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from org.models import Role, Unit, User


def administrators_answering_for(units: Iterable[Unit]) -> dict[int, list[User]]:
    """For each unit id, the active administrators of the unit or, if it has none, of its nearest
    ancestor that has: no event goes unannounced because a small unit has no administrator."""
    units = list(units)
    paths = {path for unit in units for path in Unit.lineage_paths(unit.path)}
    by_path: dict[str, list[User]] = defaultdict(list)
    for admin in (
        User.objects.filter(role=Role.ADMIN, is_active=True, unit__path__in=paths)
        .select_related("unit")
        .order_by("username")
    ):
        by_path[admin.unit.path].append(admin)
    answering = {}
    for unit in units:
        for path in reversed(Unit.lineage_paths(unit.path)):
            if by_path.get(path):
                answering[unit.pk] = by_path[path]
                break
    return answering


def secretaries_of(branch_ids: Iterable[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        role=Role.SECRETARY, is_active=True, branch_id__in=set(branch_ids)
    ).select_related("unit"):
        found[user.branch_id].append(user)
    return found


def administrators_over(unit_paths: Iterable[str]) -> list[User]:
    """The active administrators whose subtree holds at least one of these units (one query): a
    unit's own and every ancestor's, from the company down."""
    lineage = {path for unit_path in set(unit_paths) for path in Unit.lineage_paths(unit_path)}
    if not lineage:
        return []
    return list(
        User.objects.filter(role=Role.ADMIN, is_active=True, unit__path__in=lineage)
        .select_related("unit")
        .order_by("username")
    )


def common_ancestor(unit_paths: Iterable[str]) -> Unit | None:
    """The deepest unit holding all of these (the root for a company-wide list), or None."""
    paths = set(unit_paths)
    if not paths:
        return None
    shared = min(paths, key=len)
    for path in paths:
        while not path.startswith(shared):
            shared = shared[: len(shared) - Unit.steplen]
    return Unit.objects.filter(path=shared).first() if shared else None
