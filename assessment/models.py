"""The year-end assessment (年度党建绩效考核表): weights per year, frozen snapshots, export jobs."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.models import Branch, Unit
from org.permissions import ScopedQuerySet, unit_subtree_q
from org.roles import Role

WEIGHT_TOTAL = Decimal("100")


def _weight(label):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(WEIGHT_TOTAL)],
    )


class AssessmentWeights(models.Model):
    """How much each measure counts towards a branch's assessment score in one year (the weights sum to 100).

    Every measure is first turned into a fraction between 0 and 1 (see `scoring.py`), so a branch's score
    is the sum of weight x fraction and lies between 0 and 100.
    """

    WEIGHT_FIELDS = (
        "visit_coverage",
        "checklist_score",
        "problems_resolved",
        "project_rating",
        "tracking_list",
        "outstanding",
        "pairing_activity",
    )

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    visit_coverage = _weight(_("weight: visit coverage"))
    checklist_score = _weight(_("weight: checklist score"))
    problems_resolved = _weight(_("weight: problems resolved"))
    project_rating = _weight(_("weight: project rating"))
    tracking_list = _weight(_("weight: on the tracking list"))
    outstanding = _weight(_("weight: outstanding project"))
    pairing_activity = _weight(_("weight: pairing activities"))
    activities_for_full_marks = models.PositiveSmallIntegerField(
        _("activities for full marks"),
        default=4,
        validators=[MinValueValidator(1)],
        help_text=_("A branch with this many pairing activities in the year gets the whole pairing weight."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment weights")
        verbose_name_plural = _("assessment weights")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(_("Assessment weights %(year)s") % {"year": self.year})

    def weights(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in self.WEIGHT_FIELDS}

    def clean(self) -> None:
        super().clean()
        total = sum((value or Decimal("0")) for value in self.weights().values())
        if total != WEIGHT_TOTAL:
            raise ValidationError(
                _("The weights must add up to 100; now they add up to %(total)s.") % {"total": total}
            )


class YearSnapshot(models.Model):
    """The year's figures frozen row by row, so the sheet can be reproduced after the live data moves on."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    frozen_at = models.DateTimeField(_("frozen at"), auto_now_add=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("frozen by"),
    )
    # The weights and checklist areas in force when frozen: the sheet's header shows these, not today's.
    weights = models.JSONField(_("weights"), default=dict)
    area_names = models.JSONField(_("checklist areas"), default=list)
    # The day each app's figures were counted as of ({"supervision": "2020-12-31"}), for the header.
    as_of = models.JSONField(_("figures as of"), default=dict)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("frozen year")
        verbose_name_plural = _("frozen years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(_("Assessment %(year)s (frozen)") % {"year": self.year})


class SnapshotUnit(models.Model):
    """A unit as it stood when its year was frozen: the frozen rows' own tree.

    Live paths move (a unit added before its siblings shifts theirs), so a frozen row is never
    compared with a live path: a scope unit is found here by identity (`unit`), and its frozen
    `path` is compared only with the frozen `SnapshotRow.unit_path` of the same snapshot.
    """

    snapshot = models.ForeignKey(YearSnapshot, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    path = models.CharField(max_length=255)
    depth = models.PositiveIntegerField()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "path"], name="assessment_snapshot_unit_path_once"),
        ]
        indexes = [models.Index(fields=["snapshot", "unit"], name="assess_snapunit_unit_idx")]

    def __str__(self) -> str:
        return f"{self.snapshot.year} {self.code}"


class SnapshotRow(models.Model):
    """One branch's line of a frozen year; its fields carry the same names as the live rows."""

    snapshot = models.ForeignKey(YearSnapshot, on_delete=models.CASCADE, related_name="rows")
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    branch_code = models.CharField(max_length=32)
    branch_name = models.CharField(max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    unit_code = models.CharField(max_length=32)
    unit_name = models.CharField(max_length=100)
    # The unit's path in the frozen tree (SnapshotUnit.path), never compared with a live path.
    unit_path = models.CharField(max_length=255, db_index=True)
    active = models.BooleanField()
    visited = models.BooleanField(default=False)
    visit_count = models.PositiveIntegerField(default=0)
    first_visit = models.DateField(null=True, blank=True)
    last_visit = models.DateField(null=True, blank=True)
    area_scores = models.JSONField(default=list)
    # Exact: a score has one decimal and a weight two, so a total has three; rounded only when shown.
    checklist_total = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    checklist_percent = models.FloatField(null=True, blank=True)
    problems_found = models.PositiveIntegerField(default=0)
    problems_resolved = models.PositiveIntegerField(default=0)
    problems_overdue = models.PositiveIntegerField(default=0)
    project_title = models.CharField(max_length=200, blank=True)
    indicator = models.CharField(max_length=200, blank=True)
    indicator_baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    indicator_target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    indicator_actual = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    rating = models.FloatField(null=True, blank=True)
    rating_percent = models.FloatField(null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    on_tracking_list = models.BooleanField(default=False)
    outstanding = models.BooleanField(default=False)
    pairings = models.PositiveIntegerField(default=0)
    activities = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0)

    class Meta:
        ordering = ["unit_path", "branch_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "branch_code"], name="assessment_snapshot_branch_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["snapshot", "unit_path"],
                name="assess_snaprow_path_idx",
                opclasses=["", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.snapshot.year} {self.branch_code}"


def export_upload_to(instance: ExportJob, filename: str) -> str:
    return f"assessment/{instance.year}/{filename}"


class ExportJobQuerySet(ScopedQuerySet):
    # Exports are run by administrators (the pages are theirs); staff may read those of their subtree.
    editor_roles = (Role.ADMIN,)

    def visible_to(self, user) -> ExportJobQuerySet:
        """Exports of the user's unit subtree (all of them, whole-company ones too, at company level)."""
        return self.restricted(unit_subtree_q(user))


class ExportJob(models.Model):
    """One request for an assessment sheet; a Celery task builds the file and reports progress here."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook (.xlsx)")
        CSV = "csv", _("CSV")
        PDF = "pdf", _("PDF sheets (one per unit; a .zip for several)")

    year = models.PositiveSmallIntegerField(_("year"))
    # None: the whole company.
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scope"),
    )
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.XLSX)
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    from_snapshot = models.BooleanField(_("from the frozen year"), default=False)
    error = models.TextField(_("reason of failure"), blank=True)
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True, max_length=255)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment export")
        verbose_name_plural = _("assessment exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at"], name="assess_job_created_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.scope_name} ({self.get_status_display()})"

    @property
    def scope_name(self) -> str:
        return self.unit.name if self.unit_id else str(_("Whole company"))

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
