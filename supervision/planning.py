"""The automatic visit plan: which staff member visits which unvisited branch on which day.

A pure function of its inputs (no database, no clock), so a preview and the save that follows it
propose the same plan, and re-running it on the same state proposes nothing new once it is saved
(the caller leaves out branches that are visited or already planned).

Rules, in order of weight:
1. a branch goes only to a visitor whose scope holds it (the visitor's unit path is a prefix of the
   branch's unit path);
2. loads are balanced by count, counting the plans a visitor already has in the campaign: after the
   first pass, a branch moves to another eligible visitor while that visitor carries two or more
   fewer visits than its current one, so nobody is more than one visit above anybody who could
   have taken it;
3. a branch stays with staff of its own unit where possible: units are served deepest first, their
   own branches before those passed up from below, and a move prefers the deepest visitor;
4. visits are spread evenly over the working days left (Monday to Friday, minus the campaign's
   blocked days), week by week, each visitor's branches of one unit kept close together.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Materialized paths grow by this many characters a level (treebeard's default, as org.Unit).
STEPLEN = 4
# Rebalancing passes; each moves many branches, and it stops early as soon as a pass moves none.
MAX_REBALANCE_PASSES = 20


@dataclass(frozen=True)
class BranchToPlan:
    id: int
    unit_path: str
    code: str = ""


@dataclass(frozen=True)
class Visitor:
    id: int
    unit_path: str  # the visitor's scope: their unit's subtree
    load: int = 0  # plans the visitor already carries in the campaign


@dataclass(frozen=True)
class Proposal:
    branch_id: int
    visitor_id: int
    day: datetime.date


@dataclass
class Plan:
    proposals: list[Proposal] = field(default_factory=list)
    unassigned: list[int] = field(default_factory=list)  # branches no visitor's scope holds
    days: list[datetime.date] = field(default_factory=list)

    def load_by_visitor(self) -> dict[int, int]:
        loads: dict[int, int] = defaultdict(int)
        for proposal in self.proposals:
            loads[proposal.visitor_id] += 1
        return dict(loads)


def working_days(
    start: datetime.date, end: datetime.date, *, blocked: Iterable[datetime.date] = ()
) -> list[datetime.date]:
    """Monday to Friday from `start` to `end` (both included), without the blocked days."""
    blocked = set(blocked)
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in blocked:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _lineage(path: str) -> list[str]:
    return [path[:end] for end in range(STEPLEN, len(path) + 1, STEPLEN)]


def propose(
    *, branches: Sequence[BranchToPlan], visitors: Sequence[Visitor], days: Sequence[datetime.date]
) -> Plan:
    """Assign every branch an eligible visitor and a day; see the module's docstring for the rules."""
    plan = Plan(days=sorted(days))
    if not branches:
        return plan
    by_unit: dict[str, list[Visitor]] = defaultdict(list)
    for visitor in sorted(visitors, key=lambda v: v.id):
        by_unit[visitor.unit_path].append(visitor)
    load = {visitor.id: visitor.load for visitor in visitors}

    # Each branch's eligible units with staff, deepest first.
    eligible: dict[int, list[str]] = {}
    pools: dict[str, list[BranchToPlan]] = defaultdict(list)
    for branch in sorted(branches, key=lambda b: (b.unit_path, b.code, b.id)):
        staffed = [path for path in reversed(_lineage(branch.unit_path)) if path in by_unit]
        if not staffed:
            plan.unassigned.append(branch.id)
            continue
        eligible[branch.id] = staffed
        pools[staffed[0]].append(branch)
    if not eligible:
        return plan

    # Pass 1: deepest staffed units first, each taking up to a fair share per visitor; the rest
    # goes up to the next staffed unit above, which may take more than its share.
    staffed_paths = {path for paths in eligible.values() for path in paths}
    counted = [visitor.id for path in staffed_paths for visitor in by_unit[path]]
    share = (len(eligible) + sum(load[v] for v in counted)) // len(counted)
    assigned: dict[int, int] = {}
    for path in sorted(staffed_paths, key=lambda p: (-len(p), p)):
        pool = sorted(pools.pop(path, []), key=lambda b: (b.unit_path != path, b.unit_path, b.code, b.id))
        staff = by_unit[path]
        for branch in pool:
            visitor = min(staff, key=lambda v: (load[v.id], v.id))
            chain = eligible[branch.id]
            above = chain[chain.index(path) + 1] if chain[-1] != path else None
            if above is not None and load[visitor.id] >= share:
                pools[above].append(branch)
                continue
            assigned[branch.id] = visitor.id
            load[visitor.id] += 1

    # Pass 2: move a branch to an eligible visitor carrying two or more fewer, the deepest first.
    branch_list = sorted(eligible, key=lambda b: b)
    for _ in range(MAX_REBALANCE_PASSES):
        moved = 0
        for branch_id in branch_list:
            current = assigned[branch_id]
            best = None
            for path in eligible[branch_id]:  # deepest first: the first fit is the most local
                for visitor in by_unit[path]:
                    if load[visitor.id] <= load[current] - 2 and (
                        best is None or load[visitor.id] < load[best]
                    ):
                        best = visitor.id
                if best is not None:
                    break
            if best is not None:
                assigned[branch_id] = best
                load[current] -= 1
                load[best] += 1
                moved += 1
        if not moved:
            break

    plan.proposals = _schedule(assigned, {b.id: b for b in branches}, plan.days)
    return plan


def _schedule(
    assigned: dict[int, int], branches: dict[int, BranchToPlan], days: Sequence[datetime.date]
) -> list[Proposal]:
    """Spread each visitor's branches evenly over the weeks, and over the working days of a week."""
    if not days:
        return []
    weeks: list[list[datetime.date]] = []
    for day in days:
        if weeks and day.isocalendar()[:2] == weeks[-1][0].isocalendar()[:2]:
            weeks[-1].append(day)
        else:
            weeks.append([day])
    per_visitor: dict[int, list[BranchToPlan]] = defaultdict(list)
    for branch_id, visitor_id in assigned.items():
        per_visitor[visitor_id].append(branches[branch_id])
    proposals = []
    for visitor_id, mine in per_visitor.items():
        mine.sort(key=lambda b: (b.unit_path, b.code, b.id))
        used: dict[int, int] = defaultdict(int)
        for index, branch in enumerate(mine):
            week = index * len(weeks) // len(mine)
            week_days = weeks[week]
            # Start each visitor on a different weekday, so a team's visits do not all fall on Mondays.
            day = week_days[(used[week] + visitor_id) % len(week_days)]
            used[week] += 1
            proposals.append(Proposal(branch_id=branch.id, visitor_id=visitor_id, day=day))
    proposals.sort(key=lambda p: (p.day, p.visitor_id, p.branch_id))
    return proposals
