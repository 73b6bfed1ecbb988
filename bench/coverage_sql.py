"""The coverage roll-up as one hand-written SQL statement: the yardstick for `supervision.rollup`.

It computes what the roll-up stores in CoverageSnapshot for one campaign and day, for every unit in
the campaign's scope (the unit with all its sub-units) and the campaign total: active branches,
branches visited, completed visits, the mean of each area over the visited branches' latest visits,
open and overdue problems. The branch-level figures are grouped by unit first, and only those unit
rows are joined to their ancestors (the prefixes of their materialized path, found by equality, not
LIKE), so the subtree sums cost one row per (unit, ancestor) pair.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection

from org.models import Branch, Unit


@dataclass(frozen=True)
class CoverageRow:
    unit_id: int | None  # None: the campaign total
    active_branches: int
    visited_branches: int
    completed_visits: int
    area_totals: dict[str, float]  # sum over visited branches of their latest visit's weighted area score
    open_problems: int
    overdue_problems: int

    @property
    def area_scores(self) -> dict[str, float | None]:
        """Mean per area over the visited branches, rounded as the snapshot stores it."""
        visited = self.visited_branches
        return {
            code: round(total / visited, 2) if visited else None for code, total in self.area_totals.items()
        }


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def coverage_statement(*, area_codes: list[str], scope_count: int) -> str:
    from supervision.models import ChecklistArea, ChecklistItem, Finding, Visit, VisitScore

    scope = " OR ".join(["u.path LIKE %s"] * scope_count) or "FALSE"
    area_sums = ",\n".join(
        f"SUM(s.score * i.weight) FILTER (WHERE a.code = %s) AS area_{n}" for n in range(len(area_codes))
    )
    area_cols = ", ".join(f"area_{n}" for n in range(len(area_codes)))
    own_area = ", ".join(f"SUM(bf.area_{n}) AS area_{n}" for n in range(len(area_codes)))
    tree_area = ", ".join(f"SUM(o.area_{n}) AS area_{n}" for n in range(len(area_codes)))
    return f"""
WITH scope_unit AS (
    SELECT u.id, u.path, u.depth FROM {_table(Unit)} u WHERE {scope}
),
done AS (
    SELECT v.id, v.branch_id, v.visited_on FROM {_table(Visit)} v
    WHERE v.campaign_id = %s AND v.status = 'completed' AND v.visited_on <= %s
),
latest AS (
    SELECT DISTINCT ON (branch_id) id, branch_id FROM done ORDER BY branch_id, visited_on DESC, id DESC
),
latest_areas AS (
    SELECT l.branch_id, {area_sums}
    FROM latest l
    JOIN {_table(VisitScore)} s ON s.visit_id = l.id
    JOIN {_table(ChecklistItem)} i ON i.id = s.item_id
    JOIN {_table(ChecklistArea)} a ON a.id = i.area_id
    GROUP BY l.branch_id
),
visit_counts AS (
    SELECT branch_id, COUNT(*) AS visits FROM done GROUP BY branch_id
),
branch_figures AS (
    SELECT b.unit_id, (vc.visits IS NOT NULL)::int AS visited, COALESCE(vc.visits, 0) AS visits, {area_cols}
    FROM {_table(Branch)} b
    JOIN scope_unit su ON su.id = b.unit_id
    LEFT JOIN visit_counts vc ON vc.branch_id = b.id
    LEFT JOIN latest_areas la ON la.branch_id = b.id
    WHERE b.active
),
own AS (
    SELECT bf.unit_id, COUNT(*) AS active, SUM(bf.visited) AS visited, SUM(bf.visits) AS visits, {own_area}
    FROM branch_figures bf GROUP BY bf.unit_id
),
problems AS (
    SELECT b.unit_id,
           COUNT(*) FILTER (WHERE f.resolved_on IS NULL OR f.resolved_on > %s) AS open,
           COUNT(*) FILTER (WHERE (f.resolved_on IS NULL OR f.resolved_on > %s) AND f.due_on < %s) AS overdue
    FROM {_table(Finding)} f
    JOIN {_table(Visit)} v ON v.id = f.visit_id
    JOIN {_table(Branch)} b ON b.id = v.branch_id
    JOIN scope_unit su ON su.id = b.unit_id
    WHERE f.kind = 'problem' AND v.campaign_id = %s AND v.visited_on <= %s
    GROUP BY b.unit_id
),
own_all AS (
    SELECT su.id AS unit_id, su.path, su.depth,
           COALESCE(o.active, 0) AS active, COALESCE(o.visited, 0) AS visited, COALESCE(o.visits, 0) AS visits,
           {", ".join(f"o.area_{n}" for n in range(len(area_codes)))},
           COALESCE(p.open, 0) AS open, COALESCE(p.overdue, 0) AS overdue
    FROM scope_unit su LEFT JOIN own o ON o.unit_id = su.id LEFT JOIN problems p ON p.unit_id = su.id
)
SELECT anc.id, SUM(o.active), SUM(o.visited), SUM(o.visits), {tree_area}, SUM(o.open), SUM(o.overdue)
FROM own_all o
CROSS JOIN LATERAL generate_series(1, o.depth) AS level(n)
JOIN scope_unit anc ON anc.path = substr(o.path, 1, {Unit.steplen} * level.n)
GROUP BY anc.id
"""


def coverage_query(*, campaign, day: datetime.date) -> tuple[str, list, list[str], list[str]]:
    """The statement for a campaign and day, its parameters (in the statement's order), the area
    codes its columns follow and the campaign's scope paths."""
    from supervision.models import ChecklistArea

    area_codes = list(
        ChecklistArea.objects.filter(template_id=campaign.template_id)
        .order_by("code")
        .values_list("code", flat=True)
    )
    paths = campaign.scope_paths()
    statement = coverage_statement(area_codes=area_codes, scope_count=len(paths))
    params = [f"{path}%" for path in paths] + [campaign.pk, day, *area_codes, day, day, day, campaign.pk, day]
    return statement, params, area_codes, paths


def coverage_by_sql(*, campaign, day: datetime.date) -> dict[int | None, CoverageRow]:
    """Every scope unit's figures and the total (key None), from one statement."""
    statement, params, area_codes, paths = coverage_query(campaign=campaign, day=day)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    n = len(area_codes)
    result: dict[int | None, CoverageRow] = {}
    for row in rows:
        unit_id, active, visited, visits = row[:4]
        totals = {code: float(value or 0) for code, value in zip(area_codes, row[4 : 4 + n], strict=True)}
        open_problems, overdue = row[4 + n : 6 + n]
        result[unit_id] = CoverageRow(
            unit_id, int(active), int(visited), int(visits), totals, int(open_problems), int(overdue)
        )
    # The campaign total: the top scope units' subtrees (scope units may nest; count each branch once).
    tops = [path for path in paths if not any(path != other and path.startswith(other) for other in paths)]
    top_ids = set(Unit.objects.filter(path__in=tops).values_list("pk", flat=True))
    parts = [figures for pk, figures in result.items() if pk in top_ids]
    result[None] = CoverageRow(
        None,
        sum(r.active_branches for r in parts),
        sum(r.visited_branches for r in parts),
        sum(r.completed_visits for r in parts),
        {code: sum(r.area_totals[code] for r in parts) for code in area_codes},
        sum(r.open_problems for r in parts),
        sum(r.overdue_problems for r in parts),
    )
    return result
