"""The ranking engine of a rating round: one SQL statement ranks every rated project, then the cut.

- `rank_projects`: each project's mean, median, standard deviation and z-score over its department
  scores, aggregated by the round's rule; `rank` is shared by equal aggregates (1, 2, 2, 4),
  `position` is unique: ties go to the higher median, then the lower standard deviation, then the
  branch code.
- `compute_cut`: the tracking list is the round's share of the ranking (a third, rounded by the
  round's rule); a tie across the cut is included whole or cut at the share (the round's tie rule).
- `outstanding_target`: how many outstanding projects are confirmed, a share of the list as published
  (after an include-all-ties cut, of every project on it).
The benchmark times `rank_projects` + `compute_cut` at State Grid size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, router

from org.models import Branch
from projects.models import BranchProject, Rating, RatingRound, TrackingList


@dataclass
class RankedProject:
    """One project's figures in a round, in ranking order."""

    project_id: int
    branch_code: str
    mean: Decimal
    median: Decimal
    stddev: Decimal
    zscore: Decimal
    departments_rated: int
    aggregate: Decimal
    rank: int  # shared by projects with the same aggregate (1, 2, 2, 4)
    position: int  # unique: ties ordered by higher median, lower standard deviation, branch code
    project: BranchProject | None = None
    tied_with: int = 0  # how many other projects share this aggregate


_AGGREGATE_COLUMN = {
    RatingRound.Aggregation.MEAN: "mean",
    RatingRound.Aggregation.MEDIAN: "median",
    RatingRound.Aggregation.ZSCORE: "zscore",
}

# Department score = mean of that department's raters for the project; a project's figures are
# taken over its department scores. z-scores are per rater (score minus the rater's mean, over the
# rater's population standard deviation), so a lenient or strict reviewer does not move projects.
# The median comes from window functions so the same SQL runs on PostgreSQL and SQLite.
_RANKING_SQL = """
WITH rater_stats AS (
    SELECT rater_id, AVG(score) AS mu, STDDEV_POP(score) AS sigma
    FROM {rating} WHERE round_id = %(round)s GROUP BY rater_id
),
scored AS (
    SELECT r.project_id, r.department_id, r.score,
           CASE WHEN s.sigma > 0 THEN (r.score - s.mu) / s.sigma ELSE 0 END AS z
    FROM {rating} r JOIN rater_stats s ON s.rater_id = r.rater_id
    WHERE r.round_id = %(round)s
),
dept AS (
    SELECT project_id, department_id, AVG(score) AS score, AVG(z) AS z
    FROM scored GROUP BY project_id, department_id
),
ordered AS (
    SELECT project_id, score,
           ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY score) AS rn,
           COUNT(*) OVER (PARTITION BY project_id) AS n
    FROM dept
),
med AS (
    SELECT project_id, AVG(score) AS median FROM ordered
    WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2
    GROUP BY project_id
),
agg AS (
    SELECT project_id, AVG(score) AS mean, STDDEV_POP(score) AS sd, AVG(z) AS z, COUNT(*) AS departments
    FROM dept GROUP BY project_id
),
figures AS (
    SELECT agg.project_id, b.code AS branch_code,
           ROUND(agg.mean, 4) AS mean, ROUND(med.median, 4) AS median,
           ROUND(agg.sd, 4) AS sd, ROUND(agg.z, 4) AS zscore, agg.departments
    FROM agg
    JOIN med ON med.project_id = agg.project_id
    JOIN {project} p ON p.id = agg.project_id
    JOIN {branch} b ON b.id = p.branch_id
)
SELECT project_id, branch_code, mean, median, sd, zscore, departments,
       {key} AS aggregate,
       RANK() OVER (ORDER BY {key} DESC) AS rank_,
       ROW_NUMBER() OVER (ORDER BY {key} DESC, median DESC, sd ASC, branch_code ASC) AS position_
FROM figures
ORDER BY position_
"""


def _decimal(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def rank_projects(
    *, rating_round: RatingRound, aggregation: str | None = None, with_projects: bool = False
) -> list[RankedProject]:
    """Rank every rated project of a round: one SQL statement, whatever the number of projects.

    `aggregation` overrides the round's rule (mean / median / zscore) for a what-if preview.
    Projects nobody rated are not ranked. `with_projects` loads each row's project, branch and
    unit in one more query, for pages.
    """
    key = _AGGREGATE_COLUMN[aggregation or rating_round.aggregation]
    sql = _RANKING_SQL.format(
        rating=Rating._meta.db_table,
        project=BranchProject._meta.db_table,
        branch=Branch._meta.db_table,
        key=key,
    )
    # The primary, or the replica inside branchtrack.web.replica.heavy_reads() (the ranking page).
    database = router.db_for_read(Rating)
    with connections[database].cursor() as cursor:
        cursor.execute(sql, {"round": rating_round.pk})
        rows = [
            RankedProject(
                project_id=project_id,
                branch_code=branch_code,
                mean=_decimal(mean),
                median=_decimal(median),
                stddev=_decimal(sd),
                zscore=_decimal(zscore),
                departments_rated=departments,
                aggregate=_decimal(aggregate),
                rank=rank,
                position=position,
            )
            for project_id, branch_code, mean, median, sd, zscore, departments, aggregate, rank, position in (
                cursor.fetchall()
            )
        ]
    ties: dict[Decimal, int] = {}
    for row in rows:
        ties[row.aggregate] = ties.get(row.aggregate, 0) + 1
    for row in rows:
        row.tied_with = ties[row.aggregate] - 1
    if with_projects:
        projects = (
            BranchProject.objects.using(database)
            .select_related("branch__unit")
            .in_bulk([row.project_id for row in rows])
        )
        for row in rows:
            row.project = projects[row.project_id]
    return rows


@dataclass(frozen=True)
class TieAtCut:
    aggregate: Decimal
    first_position: int
    last_position: int
    included: int  # how many of the tied projects made the list

    @property
    def count(self) -> int:
        return self.last_position - self.first_position + 1


@dataclass
class Cut:
    """Where the tracking list ends under the round's rules."""

    ranked_count: int
    target: int
    size: int
    tie_rule: str
    tie: TieAtCut | None = None
    included_ids: list[int] = field(default_factory=list)


def compute_cut(*, rating_round: RatingRound, ranked: list[RankedProject]) -> Cut:
    """Apply the round's share, rounding and tie rule to a ranking (already in position order)."""
    target = min(rating_round.tracking_target(len(ranked)), len(ranked))
    size = target
    tie = None
    if 0 < target < len(ranked) and ranked[target - 1].aggregate == ranked[target].aggregate:
        boundary = ranked[target - 1].aggregate
        tied = [row.position for row in ranked if row.aggregate == boundary]
        if rating_round.tie_rule == RatingRound.TieRule.INCLUDE_ALL:
            size = max(tied)
        tie = TieAtCut(
            aggregate=boundary,
            first_position=min(tied),
            last_position=max(tied),
            included=size - min(tied) + 1,
        )
    return Cut(
        ranked_count=len(ranked),
        target=target,
        size=size,
        tie_rule=rating_round.tie_rule,
        tie=tie,
        included_ids=[row.project_id for row in ranked[:size]],
    )


def outstanding_target(*, rating_round: RatingRound, tracking_list: TrackingList) -> int:
    """How many outstanding projects the round confirms: its share of the published list's size."""
    return rating_round.outstanding_target(tracking_list.size)
