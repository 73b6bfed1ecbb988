"""How many rows of each kind a scale means.

Scale 1 is the reference scenario (305 branches in the demo's 17 units); scale N has 305 x N
branches. `target` is State Grid size: 50,000 branches in 2,000 units. The other counts follow the
target's proportions per branch: 10 visits (9 item scores each), one project with 4 ratings, 0.4
pairings with 5 activities each.
"""

from __future__ import annotations

from dataclasses import dataclass

REFERENCE_BRANCHES = 305
TARGET = "target"
TARGET_BRANCHES = 50_000
TARGET_UNITS = 2_000

VISITS_PER_BRANCH = 10
ITEMS_PER_VISIT = 9  # 3 areas x 3 items
RATINGS_PER_PROJECT = 4
PAIRINGS_PER_BRANCH = 0.4
ACTIVITIES_PER_PAIRING = 5
EXTERNAL_ORGS_PER_BRANCH = 0.3
FINDINGS_PER_VISIT = 0.25
BRANCHES_PER_UNIT = TARGET_BRANCHES / TARGET_UNITS  # 25
VISITED_SHARE = 0.7  # of active branches, as in the reference scenario (213 / 305)
INACTIVE_SHARE = 0.02


@dataclass(frozen=True)
class Sizes:
    label: str
    branches: int
    units: int  # including the company itself
    visits: int
    projects: int
    ratings: int
    pairings: int
    activities: int
    external_orgs: int
    findings: int

    @property
    def visit_scores(self) -> int:
        return self.visits * ITEMS_PER_VISIT

    @property
    def is_reference(self) -> bool:
        return self.branches == REFERENCE_BRANCHES


def parse_scale(text: str | float) -> Sizes:
    """`target`, or a positive number of reference scenarios (1 = 305 branches)."""
    if str(text).strip().lower() == TARGET:
        return sizes_for(TARGET_BRANCHES, label=TARGET, units=TARGET_UNITS)
    value = float(text)
    if value <= 0:
        raise ValueError("the scale must be positive")
    branches = max(3, round(REFERENCE_BRANCHES * value))
    label = f"{value:g}"
    return sizes_for(branches, label=label)


def sizes_for(branches: int, *, label: str, units: int | None = None) -> Sizes:
    if units is None:
        # The reference scenario's own tree (org.demo.UNITS) has 17 units.
        units = 17 if branches == REFERENCE_BRANCHES else max(3, round(branches / BRANCHES_PER_UNIT))
    pairings = round(branches * PAIRINGS_PER_BRANCH)
    visits = branches * VISITS_PER_BRANCH
    return Sizes(
        label=label,
        branches=branches,
        units=units,
        visits=visits,
        projects=branches,
        ratings=branches * RATINGS_PER_PROJECT,
        pairings=pairings,
        activities=pairings * ACTIVITIES_PER_PAIRING,
        external_orgs=max(1, round(branches * EXTERNAL_ORGS_PER_BRANCH)),
        findings=round(visits * FINDINGS_PER_VISIT),
    )
