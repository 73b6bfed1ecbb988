"""Balanced assignment of a round's projects to reviewers: every project gets at least `per_project`
reviewers, no reviewer more than `cap`, never across a conflict (the org chart's own-unit rule or a
declared conflict), and a re-run keeps every assignment that is still allowed, so it moves as few as
possible.

A greedy min-cost pass, testable without a database (plain tuples in, a plan out):
1. keep each current assignment that is still allowed, while the project needs it and the reviewer
   has room (stability);
2. fill the projects still short, the most constrained first (fewest allowed reviewers), each time
   taking the least-loaded allowed reviewer, reviewers of a department concerned by the project
   before the others (cost = load, with the department preference first).
Per department the reviewers sit in a heap keyed by load, so a pick is O(log r) plus the few
reviewers skipped for a conflict: 50,000 projects x 4 among 2,000 reviewers take seconds.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProjectSlot:
    id: int
    unit_path: str
    branch_id: int
    departments: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ReviewerSlot:
    id: int
    unit_path: str | None
    branch_id: int | None
    department_id: int


@dataclass
class Plan:
    """reviewer ids per project id; `kept`/`added`/`removed` against the current assignments;
    `short`: projects that could not reach the minimum (not enough allowed reviewers or room)."""

    assignments: dict[int, list[int]] = field(default_factory=dict)
    kept: int = 0
    added: int = 0
    removed: int = 0
    short: dict[int, int] = field(default_factory=dict)  # project id -> reviewers missing

    def load(self) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for reviewers in self.assignments.values():
            for reviewer in reviewers:
                counts[reviewer] += 1
        return counts


def allowed(project: ProjectSlot, reviewer: ReviewerSlot, declared: frozenset | set) -> bool:
    """The own-unit rule (a branch of the reviewer's home unit's subtree, or their own branch) and
    declared conflicts."""
    if reviewer.unit_path is not None and project.unit_path.startswith(reviewer.unit_path):
        return False
    if reviewer.branch_id is not None and reviewer.branch_id == project.branch_id:
        return False
    return (project.id, reviewer.id) not in declared


def balance(
    *,
    projects: Iterable[ProjectSlot],
    reviewers: Iterable[ReviewerSlot],
    per_project: int,
    cap: int,
    current: Mapping[int, Iterable[int]] | None = None,
    declared: Iterable[tuple[int, int]] = (),
) -> Plan:
    projects = sorted(projects, key=lambda p: p.id)
    reviewers = {reviewer.id: reviewer for reviewer in reviewers}
    declared = frozenset(declared)
    current = current or {}
    load: dict[int, int] = defaultdict(int)
    plan = Plan()

    # 1. Keep what is still allowed (lowest reviewer id first, for a deterministic result).
    for project in projects:
        kept = []
        for reviewer_id in sorted(set(current.get(project.id, ()))):
            reviewer = reviewers.get(reviewer_id)
            if (
                reviewer is not None
                and len(kept) < per_project
                and load[reviewer_id] < cap
                and allowed(project, reviewer, declared)
            ):
                kept.append(reviewer_id)
                load[reviewer_id] += 1
        plan.assignments[project.id] = kept
        plan.kept += len(kept)
        plan.removed += len(set(current.get(project.id, ()))) - len(kept)

    # 2. Fill the projects still short, the most constrained first.
    by_department: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for reviewer in reviewers.values():
        by_department[reviewer.department_id].append((load[reviewer.id], reviewer.id))
    for heap in by_department.values():
        heapq.heapify(heap)

    def pick(project: ProjectSlot, taken: set[int], departments: Iterable[int]) -> int | None:
        best: tuple[int, int, int] | None = None  # (preference, load, reviewer), from each heap's top
        skipped: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for preference, department_ids in ((0, departments), (1, None)):
            pool = department_ids if department_ids is not None else by_department.keys()
            for department_id in pool:
                if preference == 1 and department_id in project.departments:
                    continue
                heap = by_department.get(department_id)
                while heap:
                    entry_load, reviewer_id = heap[0]
                    if entry_load != load[reviewer_id] or entry_load >= cap:
                        # Stale (a newer entry carries the current load) or full (never comes back).
                        heapq.heappop(heap)
                        continue
                    if reviewer_id in taken or not allowed(project, reviewers[reviewer_id], declared):
                        skipped[department_id].append(heapq.heappop(heap))
                        continue
                    candidate = (preference, entry_load, reviewer_id)
                    if best is None or candidate < best:
                        best = candidate
                    break
            if best is not None and best[0] == 0:
                break
        for department_id, entries in skipped.items():
            for entry in entries:
                heapq.heappush(by_department[department_id], entry)
        return None if best is None else best[2]

    # Most constrained first; counting allowed reviewers is O(projects x reviewers), so only for small
    # pools: at scale the order is by id and the heaps alone keep the load even.
    allowed_count = {
        project.id: sum(1 for reviewer in reviewers.values() if allowed(project, reviewer, declared))
        if len(reviewers) <= 200
        else 0
        for project in projects
    }
    for project in sorted(projects, key=lambda p: (allowed_count[p.id], p.id)):
        chosen = plan.assignments[project.id]
        taken = set(chosen)
        while len(chosen) < per_project:
            reviewer_id = pick(project, taken, sorted(project.departments))
            if reviewer_id is None:
                plan.short[project.id] = per_project - len(chosen)
                break
            chosen.append(reviewer_id)
            taken.add(reviewer_id)
            load[reviewer_id] += 1
            heapq.heappush(
                by_department[reviewers[reviewer_id].department_id], (load[reviewer_id], reviewer_id)
            )
            plan.added += 1
    return plan
