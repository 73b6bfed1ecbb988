"""一支部一项目一特色: branch projects, their revisions, department ratings, the tracking list and
the outstanding projects.

Every rule parameter (cut ratio and rounding, tie rule, aggregation, outstanding fraction) lives on
the year's RatingRound, so an administrator changes the rules in data, never in code.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branchtrack.web.idempotency import idempotency_key_field
from org.models import Branch, Department
from org.permissions import ScopedQuerySet, has_role, is_admin, is_company_admin
from org.roles import Role


class Rounding(models.TextChoices):
    UP = "up", _("Round up")
    DOWN = "down", _("Round down")
    NEAREST = "nearest", _("Round to nearest (half up)")


def apply_fraction(count: int, *, numerator: int, denominator: int, rounding: str) -> int:
    """count x numerator / denominator, rounded by the rule, in exact integer arithmetic.

    Fractions such as 1/3 have no exact decimal form, so the rule is stored as a ratio of integers.
    """
    product = count * numerator
    if rounding == Rounding.UP:
        return -(-product // denominator)
    if rounding == Rounding.DOWN:
        return product // denominator
    return (2 * product + denominator) // (2 * denominator)


class RatingRoundQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> RatingRoundQuerySet:
        """Rounds are company-wide: every signed-in user sees them."""
        return self.all() if getattr(user, "is_authenticated", False) and user.is_active else self.none()

    def editable_by(self, user) -> RatingRoundQuerySet:
        """Rounds, their rules and published lists are run by company administrators."""
        return self.all() if is_company_admin(user) else self.none()


class RatingRound(models.Model):
    """One rating round per year: the window, the rubric, and every rule of the ranking."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for rating")
        CLOSED = "closed", _("Closed")

    class Aggregation(models.TextChoices):
        MEAN = "mean", _("Mean of department scores")
        ZSCORE = "zscore", _("Mean of per-reviewer z-scores (normalised)")
        MEDIAN = "median", _("Median of department scores")

    class TieRule(models.TextChoices):
        TIEBREAK = "tiebreak", _("Break ties: higher median, then lower standard deviation, then branch code")
        INCLUDE_ALL = "include_all", _("Include every project tied at the cut")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    opens_on = models.DateField(_("window opens"))
    closes_on = models.DateField(_("window closes"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    aggregation = models.CharField(
        _("ranking rule"), max_length=16, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    cut_numerator = models.PositiveSmallIntegerField(
        _("tracking list share: numerator"), default=1, validators=[MinValueValidator(1)]
    )
    cut_denominator = models.PositiveSmallIntegerField(
        _("tracking list share: denominator"), default=2, validators=[MinValueValidator(1)]
    )
    cut_rounding = models.CharField(
        _("tracking list rounding"), max_length=8, choices=Rounding.choices, default=Rounding.UP
    )
    tie_rule = models.CharField(
        _("tie rule at the cut"), max_length=16, choices=TieRule.choices, default=TieRule.TIEBREAK
    )
    outstanding_numerator = models.PositiveSmallIntegerField(
        _("outstanding share: numerator"), default=1, validators=[MinValueValidator(1)]
    )
    outstanding_denominator = models.PositiveSmallIntegerField(
        _("outstanding share: denominator"), default=3, validators=[MinValueValidator(1)]
    )
    outstanding_rounding = models.CharField(
        _("outstanding rounding"), max_length=8, choices=Rounding.choices, default=Rounding.UP
    )

    objects = RatingRoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating round")
        verbose_name_plural = _("rating rounds")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cut_numerator__lte=models.F("cut_denominator")), name="round_cut_at_most_all"
            ),
            models.CheckConstraint(
                condition=Q(outstanding_numerator__lte=models.F("outstanding_denominator")),
                name="round_outstanding_at_most_all",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The window cannot close before it opens.")})
        if self.cut_numerator and self.cut_denominator and self.cut_numerator > self.cut_denominator:
            raise ValidationError({"cut_numerator": _("The share cannot exceed the whole.")})
        if (
            self.outstanding_numerator
            and self.outstanding_denominator
            and self.outstanding_numerator > self.outstanding_denominator
        ):
            raise ValidationError({"outstanding_numerator": _("The share cannot exceed the whole.")})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def tracking_target(self, ranked_count: int) -> int:
        return apply_fraction(
            ranked_count,
            numerator=self.cut_numerator,
            denominator=self.cut_denominator,
            rounding=self.cut_rounding,
        )

    def outstanding_target(self, tracking_count: int) -> int:
        return apply_fraction(
            tracking_count,
            numerator=self.outstanding_numerator,
            denominator=self.outstanding_denominator,
            rounding=self.outstanding_rounding,
        )

    def rules_snapshot(self) -> dict:
        """The rule parameters as published with a list, so a list explains itself years later."""
        return {
            "aggregation": self.aggregation,
            "cut": [self.cut_numerator, self.cut_denominator],
            "cut_rounding": self.cut_rounding,
            "tie_rule": self.tie_rule,
            "outstanding": [self.outstanding_numerator, self.outstanding_denominator],
            "outstanding_rounding": self.outstanding_rounding,
        }


class RubricCriterion(models.Model):
    """One scored criterion of a round's rubric; a rating's score is the weighted mean, on 0-100."""

    round = models.ForeignKey(
        RatingRound, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("round")
    )
    name = models.CharField(_("criterion"), max_length=100)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    min_score = models.PositiveSmallIntegerField(_("lowest score"), default=0)
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # [{"low": int, "high": int, "text": str}]: what a score in each band means, shown beside the input.
    guidance = models.JSONField(_("guidance per score band"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["round", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_score__gt=models.F("min_score")), name="criterion_range"),
        ]

    def __str__(self) -> str:
        return self.name


def conflict_of_interest_q(user, *, prefix: str = "") -> Q:
    """Projects the user must never rate: branches of their home unit's subtree, and their own branch.

    Taken from the org chart rather than from what raters declare. `prefix` points at the project
    from another model (e.g. "project__").
    """
    conflict = Q(pk__in=[])
    if user.unit_id is not None:
        conflict |= Q(**{f"{prefix}branch__unit__path__startswith": user.unit.path})
    if user.branch_id is not None:
        conflict |= Q(**{f"{prefix}branch_id": user.branch_id})
    return conflict


def assigned_to_q(user, *, prefix: str = "") -> Q:
    """Assignments a reviewer rates: those naming them, and their department's that name nobody."""
    return Q(**{f"{prefix}reviewer_id": user.pk}) | Q(
        **{f"{prefix}reviewer__isnull": True, f"{prefix}department_id": user.department_id}
    )


class BranchProjectQuerySet(ScopedQuerySet):
    # Administrators keep the projects of their scope; a secretary their branch's.
    editor_roles = (Role.ADMIN, Role.SECRETARY)

    def visible_to(self, user) -> BranchProjectQuerySet:
        """Projects of the branches the user sees; for a reviewer, what their department rates.

        A project outside this queryset answers 404 wherever it is asked for.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role == Role.REVIEWER and not user.is_superuser:
            if user.department_id is None:
                return self.none()
            assigned = Assignment.objects.filter(assigned_to_q(user), project=OuterRef("pk"))
            return self.filter(Exists(assigned)).exclude(conflict_of_interest_q(user))
        return self.filter(branch__in=Branch.objects.visible_to(user))

    def revised(self) -> BranchProjectQuerySet:
        """Projects whose content changed after they were first entered."""
        return self.filter(
            Exists(ProjectRevision.objects.filter(project=OuterRef("pk"), content_changed=True))
        )

    def materially_revised(self) -> BranchProjectQuerySet:
        """Projects whose central business item or indicator changed: raters were asked to look again."""
        return self.filter(Exists(ProjectRevision.objects.filter(project=OuterRef("pk"), material=True)))

    def for_year(self, year: int) -> BranchProjectQuerySet:
        return self.filter(year=year)


class BranchProject(models.Model):
    """The one project a branch runs in a year (一支部一项目一特色)."""

    class Status(models.TextChoices):
        # Contexts: the problem status "In progress" (整改中) and the visit plan's "Planned" (已计划) read otherwise.
        PLANNED = "planned", pgettext_lazy("project status", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("project status", "In progress")
        COMPLETED = "completed", _("Completed")
        SUSPENDED = "suspended", _("Suspended")

    # What raters judge: frozen once the year's tracking list is published.
    RATED_FIELDS = (
        "title",
        "central_item",
        "departments",
        "indicator_name",
        "indicator_unit",
        "baseline",
        "target",
        "description",
    )
    # A change to any of these changes what the project is for, so raters must look again.
    MATERIAL_FIELDS = ("central_item", "indicator_name", "indicator_unit", "baseline", "target")
    # Progress through the year: editable after publishing.
    PROGRESS_FIELDS = ("actual", "status")

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="projects", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("project"), max_length=200)
    central_item = models.CharField(_("central business item"), max_length=200)
    departments = models.ManyToManyField(
        Department, related_name="projects", verbose_name=_("departments concerned")
    )
    indicator_name = models.CharField(_("indicator"), max_length=100)
    indicator_unit = models.CharField(_("unit of measure"), max_length=30, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    actual = models.DecimalField(_("actual"), max_digits=14, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    idempotency_key = idempotency_key_field()

    objects = BranchProjectQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        verbose_name = _("branch project")
        verbose_name_plural = _("branch projects")
        ordering = ["year", "branch__code"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="one_project_per_branch_and_year"),
        ]
        indexes = [models.Index(fields=["year", "branch"], name="project_year_branch_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def progress(self) -> float | None:
        """Per cent of the way from baseline to target the actual value has come (100 = target met)."""
        if self.actual is None or self.target == self.baseline:
            return None
        return float((self.actual - self.baseline) / (self.target - self.baseline) * 100)


class ProjectRevisionQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> ProjectRevisionQuerySet:
        """The revisions of projects the user sees; a revision is history, never edited."""
        return self.filter(project__in=BranchProject.objects.visible_to(user))


class ProjectRevision(models.Model):
    """One change to a project: who, when, what (old and new value per field) and why."""

    project = models.ForeignKey(
        BranchProject, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("revision"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"))
    reason = models.TextField(_("reason"), blank=True)
    # [{"field": name, "old": text, "new": text}], texts as shown to users
    changes = models.JSONField(_("changes"), default=list)
    content_changed = models.BooleanField(_("content changed"), default=False)
    material = models.BooleanField(_("material change"), default=False)

    objects = ProjectRevisionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project revision")
        verbose_name_plural = _("project revisions")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="revision_number_unique"),
        ]
        indexes = [
            models.Index(fields=["project", "material"], name="revision_project_material_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project} r{self.number}"


class Assignment(models.Model):
    """Who rates a project in a round: a department (`reviewer` empty: any of its reviewers, by default
    the project's departments) or one named reviewer of it (the balanced assignment's rows)."""

    round = models.ForeignKey(
        RatingRound, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("round")
    )
    project = models.ForeignKey(
        BranchProject, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("project")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("department")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating_assignments",
        verbose_name=_("reviewer"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating assignment")
        verbose_name_plural = _("rating assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "project", "department"],
                condition=Q(reviewer__isnull=True),
                name="assignment_unique",
            ),
            models.UniqueConstraint(
                fields=["round", "project", "reviewer"],
                condition=Q(reviewer__isnull=False),
                name="assignment_reviewer_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "department"], name="assignment_round_dept_idx"),
            models.Index(fields=["round", "reviewer"], name="assignment_round_reviewer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.project}"


class RatingQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> RatingQuerySet:
        """Every rating in scope for administrators, a reviewer's own for reviewers.

        Other raters' scores reach a reviewer only through `scores_visible` on a closed round.
        """
        if is_admin(user):
            return self.filter(project__in=BranchProject.objects.visible_to(user))
        if getattr(user, "role", None) == Role.REVIEWER:
            return self.filter(rater=user)
        return self.none()

    def editable_by(self, user) -> RatingQuerySet:
        """A rating is changed by its rater only."""
        return self.filter(rater=user) if has_role(user, Role.REVIEWER) else self.none()


class Rating(models.Model):
    """A department reviewer's score of a project: rubric scores, their weighted total (0-100), a comment."""

    round = models.ForeignKey(
        RatingRound, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("round")
    )
    project = models.ForeignKey(
        BranchProject, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("project")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("department")
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("rater")
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    # {"<criterion id>": value}; `score` is their weighted mean mapped onto 0-100
    rubric_scores = models.JSONField(_("rubric scores"), default=dict)
    comment = models.TextField(_("comment"), blank=True)
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_("The project's central business item or indicator changed after this rating."),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RatingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["round", "project", "department"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project", "rater"], name="one_rating_per_rater"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="rating_score_range"),
        ]
        indexes = [models.Index(fields=["round", "rater"], name="rating_round_rater_idx")]

    def __str__(self) -> str:
        return f"{self.department}: {self.project} = {self.score}"


class PublishedListQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_at__isnull=True)


class TrackingList(models.Model):
    """跟踪实施名单: the published top share of a round's ranking. Frozen; superseded, never edited."""

    round = models.ForeignKey(
        RatingRound, on_delete=models.PROTECT, related_name="tracking_lists", verbose_name=_("round")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    reason = models.TextField(_("reason"), blank=True)
    rules = models.JSONField(_("rules applied"), default=dict)
    ranked_count = models.PositiveIntegerField(_("projects ranked"))
    target_size = models.PositiveIntegerField(_("target size"))
    size = models.PositiveIntegerField(_("size"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("superseded by"),
    )

    objects = PublishedListQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tracking list")
        verbose_name_plural = _("tracking lists")
        ordering = ["round", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="tracking_list_number_unique"),
            models.UniqueConstraint(
                fields=["round"], condition=Q(superseded_at__isnull=True), name="one_current_tracking_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.number}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class TrackingEntry(models.Model):
    """One ranked project of a published list, with the figures it was ranked by."""

    tracking_list = models.ForeignKey(
        TrackingList, on_delete=models.PROTECT, related_name="entries", verbose_name=_("tracking list")
    )
    project = models.ForeignKey(
        BranchProject, on_delete=models.PROTECT, related_name="tracking_entries", verbose_name=_("project")
    )
    position = models.PositiveIntegerField(_("position"))
    rank = models.PositiveIntegerField(_("rank"))
    aggregate = models.DecimalField(_("aggregate"), max_digits=10, decimal_places=4)
    mean = models.DecimalField(_("mean"), max_digits=10, decimal_places=4)
    median = models.DecimalField(_("median"), max_digits=10, decimal_places=4)
    stddev = models.DecimalField(_("standard deviation"), max_digits=10, decimal_places=4)
    zscore = models.DecimalField(_("normalised (z) mean"), max_digits=10, decimal_places=4)
    departments_rated = models.PositiveSmallIntegerField(_("departments rated"))
    # Every ranked project is kept, so a project's frozen rank is known even when it missed the cut.
    on_list = models.BooleanField(_("on the tracking list"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tracking list entry")
        verbose_name_plural = _("tracking list entries")
        ordering = ["tracking_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tracking_list", "project"], name="tracking_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.project}"


class Nomination(models.Model):
    """A department proposes a tracking-list project as outstanding (突出贡献项目)."""

    round = models.ForeignKey(
        RatingRound, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("round")
    )
    project = models.ForeignKey(
        BranchProject, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("project")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("department")
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("nominated by")
    )
    note = models.TextField(_("why"), blank=True)
    created_at = models.DateTimeField(_("nominated at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(fields=["round", "project", "department"], name="nomination_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.project}"


class OutstandingList(models.Model):
    """The confirmed outstanding projects of a tracking list; they feed the annual assessment."""

    tracking_list = models.ForeignKey(
        TrackingList,
        on_delete=models.PROTECT,
        related_name="outstanding_lists",
        verbose_name=_("tracking list"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    confirmed_at = models.DateTimeField(_("confirmed at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    reason = models.TextField(_("reason"), blank=True)
    target_size = models.PositiveIntegerField(_("target size"))
    projects = models.ManyToManyField(
        BranchProject, related_name="outstanding_lists", verbose_name=_("projects")
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    objects = PublishedListQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        verbose_name = _("outstanding list")
        verbose_name_plural = _("outstanding lists")
        ordering = ["tracking_list", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tracking_list", "number"], name="outstanding_number_unique"),
            models.UniqueConstraint(
                fields=["tracking_list"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_outstanding_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_list} / {self.number}"


class DeclaredConflict(models.Model):
    """A reviewer declares a conflict of interest on a project assigned to them, beyond the org chart's
    rule: the project leaves their queue, and another reviewer of the department rates it; when none
    can, the conflict is flagged for an administrator to reassign."""

    round = models.ForeignKey(
        RatingRound, on_delete=models.CASCADE, related_name="declared_conflicts", verbose_name=_("round")
    )
    project = models.ForeignKey(
        BranchProject, on_delete=models.CASCADE, related_name="declared_conflicts", verbose_name=_("project")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    needs_reassignment = models.BooleanField(
        _("needs reassignment"),
        default=False,
        help_text=_("No other reviewer of the department can rate the project."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")
        ordering = ["round", "-declared_at"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project", "reviewer"], name="one_declared_conflict"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ≠ {self.project}"


class DiscussionPostQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> DiscussionPostQuerySet:
        """Company administrators: every thread; a reviewer: the threads of the projects they rated
        in a closed round; nobody else any. Posts are never edited (no editor role)."""
        if is_company_admin(user):
            return self.all()
        if has_role(user, Role.REVIEWER) and not user.is_superuser:
            rated = Rating.objects.filter(
                round=OuterRef("round_id"), project=OuterRef("project_id"), rater=user
            )
            return self.filter(Exists(rated), round__status=RatingRound.Status.CLOSED)
        return self.none()


class DiscussionPost(models.Model):
    """A message in a project's discussion among its reviewers, once the rating window has closed."""

    round = models.ForeignKey(
        RatingRound, on_delete=models.CASCADE, related_name="discussion_posts", verbose_name=_("round")
    )
    project = models.ForeignKey(
        BranchProject, on_delete=models.CASCADE, related_name="discussion_posts", verbose_name=_("project")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    objects = DiscussionPostQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("discussion post")
        verbose_name_plural = _("discussion posts")
        ordering = ["round", "project", "created_at", "pk"]
        indexes = [models.Index(fields=["round", "project", "created_at"], name="discussion_thread_idx")]

    def __str__(self) -> str:
        return f"{self.author} · {self.project}"
