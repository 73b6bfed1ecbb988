"""The contract between each app's `year_end.py` and the year-end export (imports no app).

An app that contributes figures to the year-end assessment has a `year_end.py` with

    def year_sources(*, year: int, scope_path: str, today: datetime.date | None = None) -> YearSources
    def years() -> set[int]   # the years it holds figures for

`year_sources` gives per-branch querysets (`Side`s), each keyed and sorted by the branch's unit path
and id (`keyed`), and how to write their figures into a branch's row. The export streams them side
by side with the branches (`merged`); a page reads the same sides for a few branches (`collect`).
The app's own pages and roll-ups build on the same rule functions its `year_sources` uses, so each
rule is written once, in the app that owns it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, QuerySet

CHUNK_SIZE = 2000
# Every side carries these two keys and is ordered by them, as the branch rows are.
PATH, BRANCH = "sort_path", "sort_branch"


@dataclass(frozen=True)
class Side:
    """Per-branch rows of one kind; `apply(row, matches)` writes their figures into the branch's row."""

    queryset: QuerySet
    apply: Callable[[dict, list[dict]], None]


@dataclass
class YearSources:
    """Everything one year's rows are assembled from (one app's part, or all of them combined)."""

    main_relations: dict[str, FilteredRelation] = field(default_factory=dict)
    main_columns: dict[str, F] = field(default_factory=dict)
    sides: list[Side] = field(default_factory=list)
    area_names: tuple[str, ...] = ()
    # The day each app's figures are counted as of (e.g. {"problems": 2020-12-31}), for the sheet's header.
    as_of: dict[str, object] = field(default_factory=dict)

    def add(self, other: YearSources) -> None:
        self.main_relations |= other.main_relations
        self.main_columns |= other.main_columns
        self.sides += other.sides
        self.area_names += other.area_names
        self.as_of |= other.as_of


def keyed(queryset: QuerySet, *, branch: str, **columns) -> QuerySet:
    """values() of a queryset keyed and sorted by its branch's (unit path, id), like the branch rows."""
    return queryset.values(
        **{PATH: F(f"{branch}__unit__path"), BRANCH: F(f"{branch}_id")}, **columns
    ).order_by(PATH, BRANCH)


class _Cursor:
    """One side stream, read forward in step with the branches."""

    def __init__(self, side: Side):
        self.apply = side.apply
        self.rows: Iterator[dict] = side.queryset.iterator(chunk_size=CHUNK_SIZE)
        self.head = next(self.rows, None)

    def take(self, key: tuple[str, int]) -> list[dict]:
        # Rows sorting before the branch (none, when both sides filter alike) are skipped, not misapplied.
        while self.head is not None and (self.head[PATH], self.head[BRANCH]) < key:
            self.head = next(self.rows, None)
        matches = []
        while self.head is not None and (self.head[PATH], self.head[BRANCH]) == key:
            matches.append(self.head)
            self.head = next(self.rows, None)
        return matches


def merged(branches: QuerySet, sides: list[Side]) -> Iterator[dict]:
    """Each branch row (a dict keyed by PATH and BRANCH) with every side's figures applied.

    Every side streams from its own cursor, so a year of any size takes the same handful of
    queries and constant memory.
    """
    cursors = [_Cursor(side) for side in sides]
    for row in branches.iterator(chunk_size=CHUNK_SIZE):
        key = (row[PATH], row[BRANCH])
        for cursor in cursors:
            cursor.apply(row, cursor.take(key))
        yield row


def collect(sources: YearSources, branch_ids: Iterable[int]) -> dict[int, dict]:
    """The sides' figures of a few branches, as {branch id: {figure: value}} (one query per side)."""
    wanted = list(branch_ids)
    rows: dict[int, dict] = {pk: {} for pk in wanted}
    for side in sources.sides:
        matches: dict[int, list[dict]] = defaultdict(list)
        for match in side.queryset.filter(**{f"{BRANCH}__in": wanted}):
            matches[match[BRANCH]].append(match)
        for pk, row in rows.items():
            side.apply(row, matches.get(pk, []))
    return rows
