"""What a table import would do, worked out before anything is written: the preview users confirm.

An importer turns a file into an ImportPlan (every row checked, and for each row whether it creates a
record, changes some of its fields, or leaves it as it is) without writing, and applies a plan in one
transaction. A plan's digest names everything it would do; confirming re-plans the same file inside
the transaction and applies only if the digest is the one the user saw, so a preview gone stale
(someone changed the data since) is refused instead of applied blindly.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from branchtrack.web.jobs import JobProgress
from branchtrack.web.tabular import RowErrorList, import_limit

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True, slots=True)
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def blanked(self) -> bool:
        """An empty cell in a column the file has: the field is emptied, which the preview flags."""
        return bool(self.old) and not self.new


@dataclass(slots=True)  # slots: an import of 100,000 rows holds 100,000 of these
class PlannedRow:
    row: int
    kind: str  # what the record is, e.g. "branch"; counts are kept per kind
    record: str  # how the preview names it: "党支部 B1 运检党支部"
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    # Empty cells of columns the file has whose field cannot be empty: they leave the field as it is.
    kept: list[str] = field(default_factory=list)

    @property
    def blanked(self) -> list[FieldChange]:
        return [change for change in self.changes if change.blanked]


@dataclass
class ImportPlan:
    errors: RowErrorList = field(default_factory=RowErrorList)
    rows: list[PlannedRow] = field(default_factory=list)
    payload: object = None  # the importer's own parsed rows, for its apply step
    applied: bool = False
    stale: bool = False  # confirmed against data that changed since the preview: nothing was applied
    progress: JobProgress | None = None  # set when the import runs as a background job

    def report(self, done: int) -> None:
        """An importer's apply step calls this as it goes: `done` rows of `len(rows)` written."""
        if self.progress is not None:
            self.progress.advance(done)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> Counter:
        return Counter(row.kind for row in self.rows if row.action == CREATE)

    @property
    def updated(self) -> Counter:
        return Counter(row.kind for row in self.rows if row.action == UPDATE)

    @property
    def unchanged(self) -> int:
        return sum(1 for row in self.rows if row.action == UNCHANGED)

    @property
    def changed(self) -> bool:
        return any(row.action != UNCHANGED for row in self.rows)

    @property
    def blanked_count(self) -> int:
        return sum(len(row.blanked) for row in self.rows)

    def counts(self) -> dict[str, int]:
        return {
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "unchanged": self.unchanged,
        }

    @property
    def listed_rows(self) -> list[PlannedRow]:
        """The rows the preview lists: those that change something, up to a bound."""
        return [row for row in self.rows if row.action != UNCHANGED][: import_limit("max_preview_rows")]

    @property
    def unlisted_count(self) -> int:
        return sum(1 for row in self.rows if row.action != UNCHANGED) - len(self.listed_rows)

    @property
    def digest(self) -> str:
        text = repr([(row.row, row.kind, row.record, row.action, row.changes, row.kept) for row in self.rows])
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TableImporter:
    key: str  # names the import in the session and the staged file
    plan: Callable[..., ImportPlan]  # plan(data: bytes, *, filename: str); writes nothing
    apply: Callable[[ImportPlan], None]  # writes a plan that has no errors


def run_import(
    importer: TableImporter,
    data: bytes,
    *,
    filename: str,
    expected_digest: str | None = None,
    progress: JobProgress | None = None,
) -> ImportPlan:
    """Plan and, when the plan has no errors (and is the one previewed), apply it in one transaction.

    TableFileError propagates for an unreadable file. `progress` counts the rows applied."""
    with transaction.atomic():
        plan = importer.plan(data, filename=filename)
        if not plan.ok:
            return plan
        if expected_digest is not None and plan.digest != expected_digest:
            plan.stale = True
            return plan
        if progress is not None:
            progress.start(len(plan.rows))
            plan.progress = progress
        importer.apply(plan)
        plan.report(len(plan.rows))
        plan.applied = True
    return plan
