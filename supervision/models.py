"""走遍支部: campaigns, versioned checklists, visits and their scores, findings, meetings, feedback, coverage."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branchtrack.web.idempotency import idempotency_key_field
from branchtrack.web.rounding import percent
from org.models import Branch, Unit
from org.permissions import (
    OFFICE_ROLES,
    ScopedQuerySet,
    has_role,
    is_company_admin,
    unit_scope_path,
    unit_subtree_q,
)
from org.roles import Role


class TemplateFrozenError(ValidationError):
    """Visits used this checklist version; it never changes in place (make a new version)."""

    def __init__(self):
        super().__init__(
            _("Visits already used this checklist version, so it cannot change. Make a new version instead.")
        )


class ChecklistTemplate(models.Model):
    """One version of a scored checklist (调研督导清单).

    A version that any visit used is frozen: editing it means making a new version whose items
    point at the items they replace, so scores stay comparable from year to year.
    """

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    is_example = models.BooleanField(
        _("example to adapt"),
        default=False,
        help_text=_("The seeded default template: adapt it to your own checklist before real use."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="supervision_template_name_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and self.is_in_use:
            raise TemplateFrozenError()
        super().save(*args, **kwargs)

    @property
    def is_in_use(self) -> bool:
        return self.visits.exists()


class ChecklistArea(models.Model):
    """An area (方面) of a checklist; `code` is kept across versions so area scores compare year on year."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="areas", verbose_name=_("template")
    )
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist area")
        verbose_name_plural = _("checklist areas")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="supervision_area_code_per_template"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.template.is_in_use:
            raise TemplateFrozenError()
        super().save(*args, **kwargs)


class ChecklistItem(models.Model):
    """A scored item (重点内容): a visit gives it a score in [min_score, max_score], weighted by `weight`."""

    area = models.ForeignKey(
        ChecklistArea, on_delete=models.CASCADE, related_name="items", verbose_name=_("area")
    )
    text = models.CharField(_("item"), max_length=200)
    guidance = models.TextField(_("what to look for"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=4, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    min_score = models.DecimalField(_("lowest score"), max_digits=5, decimal_places=1, default=Decimal("0"))
    max_score = models.DecimalField(_("highest score"), max_digits=5, decimal_places=1, default=Decimal("10"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("same item in the previous version"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["area__order", "order", "pk"]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        if ChecklistTemplate.objects.filter(areas=self.area_id, visits__isnull=False).exists():
            raise TemplateFrozenError()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.min_score is not None and self.max_score is not None and self.min_score >= self.max_score:
            raise ValidationError({"max_score": _("The highest score must be above the lowest score.")})


class CampaignQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> CampaignQuerySet:
        """Campaigns are company-wide: every signed-in user sees them (their rows are scoped)."""
        return self.all() if getattr(user, "is_authenticated", False) and user.is_active else self.none()

    def editable_by(self, user) -> CampaignQuerySet:
        return self.all() if is_company_admin(user) else self.none()


class Campaign(models.Model):
    """A 走遍支部 campaign: a period, the units it covers and the checklist its visits use."""

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("checklist")
    )
    scope_units = models.ManyToManyField(
        Unit,
        related_name="campaigns",
        verbose_name=_("units covered"),
        help_text=_("The campaign covers these units and every unit below them."),
    )
    target_percent = models.DecimalField(
        _("coverage target (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("100"))],
        help_text=_("The share of active branches the campaign means to visit by its end."),
    )

    history = HistoricalRecords(m2m_fields=[scope_units])

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "-starts_on"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})

    def scope_q(self, prefix: str = "unit__") -> Q:
        """Q matching rows whose unit (reached through `prefix`) lies under one of the scope units."""
        query = Q(pk__in=[])
        for path in self.scope_paths():
            query |= Q(**{f"{prefix}path__startswith": path})
        return query

    def scope_paths(self) -> list[str]:
        if not hasattr(self, "_scope_paths"):
            self._scope_paths = sorted(self.scope_units.values_list("path", flat=True))
        return self._scope_paths

    def branches(self):
        return Branch.objects.filter(self.scope_q())


class VisitQuerySet(ScopedQuerySet):
    editor_roles = OFFICE_ROLES

    def visible_to(self, user) -> VisitQuerySet:
        """Visits to the branches the user sees."""
        return self.filter(branch__in=Branch.objects.visible_to(user))

    def completed(self) -> VisitQuerySet:
        return self.filter(status=Visit.Status.COMPLETED)

    def completed_by(self, day: datetime.date | None) -> VisitQuerySet:
        """Completed visits, and if `day` is given only those that took place on or before it."""
        queryset = self.completed()
        return queryset if day is None else queryset.filter(visited_on__lte=day)

    def latest_per_branch(self, *, day: datetime.date | None = None) -> VisitQuerySet:
        """Completed visits that no later completed visit of the same campaign and branch supersedes.

        A repeat visit replaces the earlier one's scores; the branch counts once either way. Use the
        result as a set (`visit__in=...`), not re-ordered: on PostgreSQL it is a DISTINCT ON read
        in the order of `visit_latest_idx`, which at 500,000 visits is one index pass, where the
        planner misjudges the portable "no later visit" NOT EXISTS (bench/README.md, figure 1).
        """
        completed = self.completed_by(day)
        if connection.features.can_distinct_on_fields:
            return completed.order_by("campaign_id", "branch_id", "-visited_on", "-pk").distinct(
                "campaign_id", "branch_id"
            )
        later = Visit.objects.completed_by(day).filter(
            campaign=OuterRef("campaign"), branch=OuterRef("branch")
        )
        later = later.filter(
            Q(visited_on__gt=OuterRef("visited_on"))
            | Q(visited_on=OuterRef("visited_on"), pk__gt=OuterRef("pk"))
        )
        return completed.filter(~Exists(later))


class Visit(models.Model):
    """One supervision visit (调研督导) to a branch."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="visits", verbose_name=_("campaign")
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="visits", verbose_name=_("checklist")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="visits", verbose_name=_("branch")
    )
    visited_on = models.DateField(_("date of visit"))
    visitors = models.CharField(_("visitors"), max_length=200)
    overall_comment = models.TextField(_("overall comment"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervision_visits",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("received by the server"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    idempotency_key = idempotency_key_field()
    # Where and when, as the visitor's phone said (optional): the phone's clock may be wrong, so the
    # server's time of receipt (`created_at`) is kept beside it.
    device_time = models.DateTimeField(_("time on the visitor's device"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        # Also the order of `latest_per_branch` (a branch's visits newest first), so PostgreSQL reads
        # the latest visits without sorting the campaign's visits.
        indexes = [
            models.Index(
                fields=["campaign", "status", "branch", "-visited_on", "-id"], name="visit_latest_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.visited_on:%Y-%m-%d}"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class VisitScore(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="scores", verbose_name=_("visit"))
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="scores", verbose_name=_("item")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    remark = models.CharField(_("remark"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["item__area__order", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="supervision_one_score_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"


def unresolved_on(day: datetime.date) -> Q:
    """Findings not resolved by the end of `day` (a problem resolved later was still open then)."""
    return ~Q(status=Finding.Status.RESOLVED) | Q(resolved_on__gt=day)


def overdue_on(*, due_before, resolved_by: datetime.date) -> Q:
    """The one definition of an overdue problem: still unresolved on `resolved_by` (today, for
    live figures) with a due date before `due_before`, its campaign's figures day: today while the
    campaign runs, its last day once it is over (`supervision.year_end.figures_day`). `due_before`
    is a date or an expression (each problem's own campaign)."""
    return Q(kind=Finding.Kind.PROBLEM) & unresolved_on(resolved_by) & Q(due_on__lt=due_before)


class FindingQuerySet(ScopedQuerySet):
    editor_roles = OFFICE_ROLES

    def visible_to(self, user) -> FindingQuerySet:
        """Findings of visits to branches the user sees, and problems their unit subtree owns."""
        query = Q(visit__branch__in=Branch.objects.visible_to(user))
        prefix = unit_scope_path(user)
        if prefix is not None:
            query |= Q(owner_unit__path__startswith=prefix)
        return self.filter(query)

    def problems(self) -> FindingQuerySet:
        return self.filter(kind=Finding.Kind.PROBLEM)

    def good_practices(self) -> FindingQuerySet:
        return self.filter(kind=Finding.Kind.GOOD_PRACTICE)

    def overdue(self, *, today: datetime.date | None = None) -> FindingQuerySet:
        return self.problems().with_overdue_flag(today=today).filter(is_overdue=True)

    def with_overdue_flag(self, *, today: datetime.date | None = None) -> FindingQuerySet:
        """Each finding with `overdue_as_of` (its campaign's figures day) and `is_overdue` on that day."""
        today = today or timezone.localdate()
        return self.annotate(
            overdue_as_of=Least(Value(today, output_field=models.DateField()), F("visit__campaign__ends_on"))
        ).annotate(
            is_overdue=models.ExpressionWrapper(
                overdue_on(due_before=F("overdue_as_of"), resolved_by=today),
                output_field=models.BooleanField(),
            )
        )


def _evidence_path(instance: Finding, filename: str) -> str:
    return f"supervision/evidence/{instance.pk}/{filename}"


class Finding(models.Model):
    """What a visit turns up: a good practice (鲜活经验) or a problem (问题) to be solved by its owner unit."""

    class Kind(models.TextChoices):
        GOOD_PRACTICE = "good_practice", _("Good practice")
        PROBLEM = "problem", _("Problem")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("problem status", "In progress")
        RESOLVED = "resolved", _("Resolved")

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("visit")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="owned_findings", verbose_name=_("owner unit")
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    evidence = models.TextField(
        _("evidence of the fix"),
        blank=True,
        help_text=_("What shows the problem is fixed: a document number, a photo reference, minutes..."),
    )
    # A photo or PDF of the fix, checked by its content; served only through the scoped view.
    evidence_file = models.FileField(
        _("photo or PDF of the fix"), upload_to=_evidence_path, max_length=255, blank=True
    )
    evidence_content_type = models.CharField(_("content type"), max_length=40, blank=True)
    evidence_original_name = models.CharField(_("original name"), max_length=200, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    confirmed_by_visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmed_findings",
        verbose_name=_("fix confirmed at visit"),
    )
    escalated_at = models.DateTimeField(_("escalated to the owner unit's admin"), null=True, blank=True)
    in_catalogue = models.BooleanField(_("in the good-practice catalogue"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    idempotency_key = idempotency_key_field()

    objects = FindingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved")
                | (~Q(resolution="") & (~Q(evidence="") | ~Q(evidence_file=""))),
                name="supervision_resolved_needs_resolution_and_evidence",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_problem(self) -> bool:
        return self.kind == self.Kind.PROBLEM


def _photo_path(instance: VisitPhoto, filename: str) -> str:
    return f"supervision/photos/{instance.visit_id}/{filename}"


class VisitPhotoQuerySet(ScopedQuerySet):
    editor_roles = OFFICE_ROLES

    def visible_to(self, user) -> VisitPhotoQuerySet:
        return self.filter(visit__in=Visit.objects.visible_to(user))


class VisitPhoto(models.Model):
    """A photo taken at a visit, of a checklist item or of a finding (or of the visit as a whole).

    Downscaled on the phone before it is sent; checked by its content like every upload; its
    idempotency key is made on the phone, so a queue sent twice stores it once.
    """

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    item = models.ForeignKey(
        ChecklistItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checklist item"),
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("finding"),
    )
    file = models.FileField(_("photo"), upload_to=_photo_path, max_length=255)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    idempotency_key = idempotency_key_field()
    uploaded_at = models.DateTimeField(_("received by the server"), auto_now_add=True)

    objects = VisitPhotoQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.visit} #{self.pk}"


class MeetingAttendanceQuerySet(ScopedQuerySet):
    editor_roles = OFFICE_ROLES

    def visible_to(self, user) -> MeetingAttendanceQuerySet:
        return self.filter(unit__in=Unit.objects.visible_to(user))


class MeetingAttendance(models.Model):
    """Staff sitting in on a unit's regular party-building meeting (列席党建工作例会)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="attended_meetings", verbose_name=_("unit")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("campaign"),
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("meeting"), max_length=200)
    attendees = models.CharField(_("attended by"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("logged by")
    )
    idempotency_key = idempotency_key_field()

    objects = MeetingAttendanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendances")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} {self.held_on:%Y-%m-%d} {self.title}"


class FeedbackQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> FeedbackQuerySet:
        """Office roles see feedback (drafts too) in their subtree; a unit's other users what was sent to it."""
        query = Q(pk__in=[])
        prefix = unit_scope_path(user)
        if prefix is not None:
            query |= Q(unit__path__startswith=prefix)
        if getattr(user, "is_authenticated", False) and user.unit_id is not None:
            query |= Q(unit_id=user.unit_id, sent_at__isnull=False)
        return self.filter(query)

    def editable_by(self, user) -> FeedbackQuerySet:
        """Office roles write and send feedback to the units of their subtree."""
        if not has_role(user, *OFFICE_ROLES):
            return self.none()
        return self.restricted(unit_subtree_q(user))


class Feedback(models.Model):
    """The written feedback to a unit about its campaign results; its users see it once it is sent."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("unit"))
    summary = models.TextField(_("summary"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    idempotency_key = idempotency_key_field()

    objects = FeedbackQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.unit}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class CoverageSnapshotQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> CoverageSnapshotQuerySet:
        """Figures of the units the user sees; written by the roll-up only, never edited."""
        return self.filter(unit__in=Unit.objects.visible_to(user))


class CoverageSnapshot(models.Model):
    """A stored roll-up for one campaign, one unit (with everything below it) and one day.

    `unit` is empty for the campaign total. Written only by `supervision.rollup`; dashboards read it.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    day = models.DateField(_("day"))
    active_branches = models.PositiveIntegerField(_("active branches"))
    visited_branches = models.PositiveIntegerField(_("branches visited"))
    completed_visits = models.PositiveIntegerField(_("completed visits"), default=0)
    area_scores = models.JSONField(_("mean score per area"), default=dict)
    mean_total = models.DecimalField(_("mean total score"), max_digits=6, decimal_places=2, null=True)
    open_problems = models.PositiveIntegerField(_("open problems"), default=0)
    overdue_problems = models.PositiveIntegerField(_("overdue problems"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = CoverageSnapshotQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        ordering = ["campaign", "day", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "day"],
                condition=Q(unit__isnull=False),
                name="supervision_one_snapshot_per_unit_day",
            ),
            models.UniqueConstraint(
                fields=["campaign", "day"],
                condition=Q(unit__isnull=True),
                name="supervision_one_total_snapshot_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.unit or '*'} {self.day:%Y-%m-%d}"

    @property
    def coverage(self) -> Decimal | None:
        """Share of active branches visited, as a fraction (0.698 for 213/305)."""
        if not self.active_branches:
            return None
        return Decimal(self.visited_branches) / Decimal(self.active_branches)

    @property
    def coverage_percent(self) -> Decimal | None:
        """Coverage as a percent, rounded half up to one decimal (69.8 for 213/305), as everywhere."""
        return percent(self.visited_branches, self.active_branches)

    @property
    def unvisited_branches(self) -> int:
        return self.active_branches - self.visited_branches


# --- visit plans (调研计划) ------------------------------------------------------------------------


class CampaignBlockedDay(models.Model):
    """A holiday or other day of a campaign on which no visit is planned (weekends are never planned)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="blocked_days", verbose_name=_("campaign")
    )
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("blocked day")
        verbose_name_plural = _("blocked days")
        ordering = ["campaign", "day"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="supervision_one_blocked_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.reason}"


class PlannedVisitQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> PlannedVisitQuerySet:
        """Plans of branches the user sees, and the plans the user is a visitor of."""
        query = Q(branch__in=Branch.objects.visible_to(user))
        if getattr(user, "is_authenticated", False):
            query |= Q(Exists(PlannedVisitor.objects.filter(plan=OuterRef("pk"), user=user)))
        return self.filter(query)

    def editable_by(self, user) -> PlannedVisitQuerySet:
        """Planners (administrators) change the plans of the branches they see; visitors only read theirs."""
        if not has_role(user, Role.ADMIN):
            return self.none()
        return self.filter(branch__in=Branch.objects.visible_to(user))

    def open(self) -> PlannedVisitQuerySet:
        """Plans still to be carried out: planned ones (missed ones can be rescheduled, not counted)."""
        return self.filter(status=PlannedVisit.Status.PLANNED)

    def for_visitor(self, user) -> PlannedVisitQuerySet:
        return self.filter(Exists(PlannedVisitor.objects.filter(plan=OuterRef("pk"), user=user)))


class PlannedVisit(models.Model):
    """A branch to be visited by named staff on a day or in a week of a campaign (调研计划).

    At most one plan of a branch per campaign is `planned` at a time (a partial unique index), so
    two people planning the same branch at once cannot both succeed: the second is told.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("visit plan status", "Planned")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="plans", verbose_name=_("campaign")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="planned_visits", verbose_name=_("branch")
    )
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="PlannedVisitor",
        related_name="planned_visits",
        verbose_name=_("visitors"),
    )
    planned_on = models.DateField(_("planned date"), help_text=_("For a week: its Monday."))
    whole_week = models.BooleanField(_("some day that week"), default=False)
    # The last day the visit may take place (the date, or the Sunday of the week): it is missed after it.
    due_on = models.DateField(_("due by"), editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    done_visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans_done",
        verbose_name=_("visit that carried it out"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = PlannedVisitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["planned_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "branch"],
                condition=Q(status="planned"),
                name="supervision_one_open_plan_per_branch",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="supervision_cancelled_plan_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status", "due_on"], name="plan_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.branch} {self.planned_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.due_on = due_date(self.planned_on, whole_week=self.whole_week)
        super().save(*args, **kwargs)

    @property
    def visitor_names(self) -> str:
        """The visitors' names (reads `visitor_links`: prefetch them with their users)."""
        return "、".join(link.user.get_full_name() or link.user.username for link in self.visitor_links.all())


def due_date(planned_on: datetime.date, *, whole_week: bool) -> datetime.date:
    if not whole_week:
        return planned_on
    return planned_on - datetime.timedelta(days=planned_on.weekday()) + datetime.timedelta(days=6)


class PlannedVisitor(models.Model):
    """One visitor of a planned visit (the through table, so its changes have history too)."""

    plan = models.ForeignKey(
        PlannedVisit, on_delete=models.CASCADE, related_name="visitor_links", verbose_name=_("planned visit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("visitor")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visitor of a planned visit")
        verbose_name_plural = _("visitors of planned visits")
        ordering = ["pk"]  # visitors in the order they were named
        constraints = [models.UniqueConstraint(fields=["plan", "user"], name="supervision_one_visitor_link")]
        indexes = [models.Index(fields=["user", "plan"], name="plan_visitor_user_idx")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.user}"


class CalendarFeed(models.Model):
    """A user's personal iCalendar feed: a secret URL, stored only as its hash; reset or revoke at will."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"
