"""联创共建: pairings of our party organisations with external ones, their joint activities, and the
branches' village liaison groups (党员联系乡村)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branchtrack.web.idempotency import idempotency_key_field
from org.models import Branch, Unit
from org.permissions import OFFICE_ROLES, ScopedQuerySet, branch_scope_q, is_company_admin, unit_scope_path
from org.roles import Role

DEFAULT_DORMANT_AFTER_DAYS = 90


class Theme(models.Model):
    """A pairing theme (e.g. 重点项目联建共促). Data, not code: admins add, rename and retire them."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pairing theme")
        verbose_name_plural = _("pairing themes")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class PairingRules(models.Model):
    """The one row of admin-editable pairing rules."""

    dormant_after_days = models.PositiveIntegerField(
        _("dormant after (days without activity)"),
        default=DEFAULT_DORMANT_AFTER_DAYS,
        help_text=_("An active pairing with no joint activity for this many days is flagged as dormant."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pairing rules")
        verbose_name_plural = _("pairing rules")

    def __str__(self) -> str:
        return str(_("Pairing rules"))

    @classmethod
    def current(cls) -> PairingRules:
        # An unsaved default keeps pages working on a database where nobody saved the rules yet.
        return cls.objects.order_by("pk").first() or cls()


# Who logs activities and keeps liaison groups: the office roles and the branch's secretary.
LOGGER_ROLES = (*OFFICE_ROLES, Role.SECRETARY)


def pairing_scope_q(user, *, prefix: str = "") -> Q | None:
    """The Q that keeps rows of pairings the user may see (None: everything; Q(pk__in=[]): nothing).

    A secretary sees their branch's pairings; office roles those of a branch or unit committee in
    their subtree. `prefix` is the lookup path from the queried model to Pairing ("" for Pairing).
    """
    if getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.SECRETARY:
        return branch_scope_q(user, branch=f"{prefix}branch")
    path = unit_scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == "":
        return None
    return Q(**{f"{prefix}branch__unit__path__startswith": path}) | Q(
        **{f"{prefix}unit__path__startswith": path}
    )


class ExternalOrgQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> ExternalOrgQuerySet:
        """The register of external organisations is company-wide: every signed-in user sees it."""
        return self.all() if getattr(user, "is_authenticated", False) and user.is_active else self.none()

    def editable_by(self, user) -> ExternalOrgQuerySet:
        # Company administrators import the register (it holds every unit's partners); pairings refer to it.
        return self.all() if is_company_admin(user) else self.none()


class ExternalOrg(models.Model):
    """A customer's or partner's party organisation, or a village branch (客户党组织)."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer company")
        STATE_OWNED = "state_owned", _("State-owned enterprise")
        GOVERNMENT = "government", _("Government body")
        VILLAGE = "village", _("Village")
        COMMUNITY = "community", _("Community")
        SCHOOL = "school", _("School or hospital")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CUSTOMER)
    parent_company = models.CharField(_("parent company"), max_length=120, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    objects = ExternalOrgQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("external party organisation")
        verbose_name_plural = _("external party organisations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PairingQuerySet(ScopedQuerySet):
    editor_roles = OFFICE_ROLES

    def visible_to(self, user) -> PairingQuerySet:
        return self.restricted(pairing_scope_q(user))

    def in_unit_subtree(self, path: str) -> PairingQuerySet:
        """Pairings of a branch under the unit path, or of a unit committee under it."""
        return self.filter(Q(branch__unit__path__startswith=path) | Q(unit__path__startswith=path))

    def with_activity_figures(self) -> PairingQuerySet:
        return self.annotate(
            activity_count=Count("activities", distinct=True),
            last_activity=Max("activities__date"),
        )

    def with_dormancy(self, *, today: datetime.date, dormant_after_days: int) -> PairingQuerySet:
        """Annotate `is_dormant`: active, not past its end date, and quiet for too long.

        A pairing that never had an activity counts its quiet time from its start date.
        """
        cutoff = today - datetime.timedelta(days=dormant_after_days)
        recent = PairingActivity.objects.filter(pairing=OuterRef("pk"), date__gt=cutoff)
        return self.annotate(
            is_dormant=models.ExpressionWrapper(
                Q(status=Pairing.Status.ACTIVE)
                & Q(start_date__lte=cutoff)
                & (Q(end_date__isnull=True) | Q(end_date__gte=today))
                & ~Exists(recent),
                output_field=models.BooleanField(),
            )
        )

    def with_activity_in_year(self, year: int) -> PairingQuerySet:
        return self.annotate(
            active_in_year=Exists(PairingActivity.objects.filter(pairing=OuterRef("pk"), date__year=year))
        )

    def distinct_counts(self) -> dict[str, int]:
        """Distinct organisations on each side, in one query.

        Branches and unit committees are different tables, so their distinct counts never overlap
        and simply add up.
        """
        figures = self.aggregate(
            branches=Count("branch", distinct=True),
            units=Count("unit", distinct=True),
            external=Count("external_org", distinct=True),
            pairings=Count("pk", distinct=True),
        )
        figures["ours"] = figures["branches"] + figures["units"]
        return figures


class Pairing(models.Model):
    """联创共建: one of our party organisations (a branch or a unit's party committee) with one external one."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("pairing status", "Active")
        ENDED = "ended", pgettext_lazy("pairing status", "Ended")

    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("our party branch"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("our unit party committee"),
    )
    external_org = models.ForeignKey(
        ExternalOrg,
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("external organisation"),
    )
    themes = models.ManyToManyField(Theme, related_name="pairings", verbose_name=_("themes"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    agreement = models.TextField(_("agreement"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    idempotency_key = idempotency_key_field()

    objects = PairingQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(branch__isnull=False) & Q(unit__isnull=True))
                | (Q(branch__isnull=True) & Q(unit__isnull=False)),
                name="pairing_exactly_one_of_ours",
                violation_error_message=_(
                    "Choose either a party branch or a unit party committee, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="pairing_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ours} — {self.external_org}"

    @property
    def ours(self) -> Branch | Unit:
        return self.branch if self.branch_id else self.unit

    @property
    def owner_unit_id(self) -> int:
        return self.branch.unit_id if self.branch_id else self.unit_id


class PairingActivityQuerySet(ScopedQuerySet):
    editor_roles = LOGGER_ROLES

    def visible_to(self, user) -> PairingActivityQuerySet:
        return self.restricted(pairing_scope_q(user, prefix="pairing__"))


class PairingActivity(models.Model):
    """共建活动: one joint activity of a pairing."""

    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, related_name="activities", verbose_name=_("pairing")
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("what was done"))
    our_people = models.PositiveIntegerField(_("our people"), default=0)
    our_party_members = models.PositiveIntegerField(_("our party members"), default=0)
    their_people = models.PositiveIntegerField(_("their people"), default=0)
    their_party_members = models.PositiveIntegerField(_("their party members"), default=0)
    outcome_text = models.TextField(_("outcomes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    idempotency_key = idempotency_key_field()

    objects = PairingActivityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("joint activity")
        verbose_name_plural = _("joint activities")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["pairing", "date"], name="pairing_activity_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(our_party_members__lte=models.F("our_people"))
                & Q(their_party_members__lte=models.F("their_people")),
                name="activity_members_within_people",
                violation_error_message=_("Party members cannot outnumber the people of their side."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    @property
    def total_people(self) -> int:
        return self.our_people + self.their_people


class ActivityOutcome(models.Model):
    """A measured outcome: a label, a number and its unit (杆塔拆除 16 基, 线路 4.5 km)."""

    activity = models.ForeignKey(
        PairingActivity, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("activity")
    )
    label = models.CharField(_("outcome"), max_length=60)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    unit_label = models.CharField(_("unit of measure"), max_length=20, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity outcome")
        verbose_name_plural = _("activity outcomes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value.normalize():f} {self.unit_label}".strip()


def _attachment_path(instance: ActivityAttachment, filename: str) -> str:
    return f"pairings/activities/{instance.activity_id}/{filename}"


class ActivityAttachmentQuerySet(ScopedQuerySet):
    editor_roles = LOGGER_ROLES

    def visible_to(self, user) -> ActivityAttachmentQuerySet:
        return self.restricted(pairing_scope_q(user, prefix="activity__pairing__"))


class ActivityAttachment(models.Model):
    """A photo or PDF of an activity; served only through the scoped download view."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        PDF = "pdf", _("PDF document")

    activity = models.ForeignKey(
        PairingActivity, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("activity")
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=255)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=40)
    original_name = models.CharField(_("original name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ActivityAttachmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class Village(models.Model):
    """A village reached by a liaison group; one row per village so company totals count it once."""

    name = models.CharField(_("village"), max_length=60)
    township = models.CharField(_("township"), max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["township", "name"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="village_unique_name")]

    def __str__(self) -> str:
        return f"{self.township}{self.name}" if self.township else self.name


class LiaisonGroupQuerySet(ScopedQuerySet):
    editor_roles = LOGGER_ROLES

    def visible_to(self, user) -> LiaisonGroupQuerySet:
        """The groups of the branches the user sees."""
        return self.filter(branch__in=Branch.objects.visible_to(user))

    def totals(self) -> dict[str, int]:
        """Groups, branches, distinct villages and cadres reached."""
        figures = self.aggregate(
            groups=Count("pk", distinct=True),
            branches=Count("branch", distinct=True),
            villages=Count("villages", distinct=True),
        )
        # Cadres are summed over groups, apart from the village join (which would repeat each group).
        figures["cadres"] = self.order_by().aggregate(cadres=Coalesce(models.Sum("cadre_count"), 0))["cadres"]
        return figures


class LiaisonGroup(models.Model):
    """党员联系乡村: a branch's channel to villages ("WeChat group + village loudspeaker")."""

    class Channel(models.TextChoices):
        WECHAT_LOUDSPEAKER = "wechat_loudspeaker", _("WeChat group + village loudspeaker")
        WECHAT = "wechat", _("WeChat group")
        LOUDSPEAKER = "loudspeaker", _("Village loudspeaker")
        OTHER = "other", _("Other")

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="liaison_groups", verbose_name=_("party branch")
    )
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(
        _("channel"), max_length=24, choices=Channel.choices, default=Channel.WECHAT_LOUDSPEAKER
    )
    start_date = models.DateField(_("start date"))
    villages = models.ManyToManyField(Village, related_name="liaison_groups", verbose_name=_("villages"))
    cadre_count = models.PositiveIntegerField(_("village cadres reached"), default=0)
    cadre_names = models.TextField(
        _("names of the village cadres"), blank=True, help_text=_("One name per line, or separated by 、")
    )
    idempotency_key = idempotency_key_field()

    objects = LiaisonGroupQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[villages])

    class Meta:
        verbose_name = _("village liaison group")
        verbose_name_plural = _("village liaison groups")
        ordering = ["branch__code", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def cadre_name_list(self) -> list[str]:
        return split_names(self.cadre_names)


def split_names(text: str) -> list[str]:
    for separator in ("、", ",", "，", ";", "；"):
        text = text.replace(separator, "\n")
    return [name.strip() for name in text.splitlines() if name.strip()]
