"""The organisation: units (a tree), branches, departments and users with a role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class UnitQuerySet(MP_NodeQuerySet):
    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        """The unit and all its descendants: one prefix match on the materialized path."""
        return self.filter(path__startswith=unit.path)


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(MP_Node):
    """A unit with a party committee (党委): the company, a city/county supply company, a subsidiary..."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        CITY = "city", _("City supply company")
        COUNTY = "county", _("County supply company")
        SUBSIDIARY = "subsidiary", _("Subsidiary")
        STATION = "station", _("Supply station")
        OTHER = "other", _("Other unit")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)

    node_order_by = ["code"]
    objects = UnitManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs pattern ops unless the collation is C.
            models.Index(fields=["path"], name="unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def lineage_paths(cls, path: str) -> list[str]:
        """The paths of a unit's ancestors and its own, root first, without a query: materialized
        paths grow by `steplen` characters a level, so they are the step-aligned prefixes of its path."""
        return [path[:end] for end in range(cls.steplen, len(path) + 1, cls.steplen)]


class BranchQuerySet(models.QuerySet):
    def active(self) -> BranchQuerySet:
        return self.filter(active=True)

    def in_subtree(self, unit: Unit) -> BranchQuerySet:
        return self.filter(unit__path__startswith=unit.path)

    def visible_to(self, user) -> BranchQuerySet:
        from org.permissions import branches_visible_to

        return branches_visible_to(user, self)


class Branch(models.Model):
    """A grassroots party branch (党支部)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="branches", verbose_name=_("unit"))
    secretary = models.CharField(_("secretary"), max_length=50, blank=True)
    member_count = models.PositiveIntegerField(_("party members"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = BranchQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A professional department (专业部门); departments rate branch projects."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STAFF = "staff", _("Party-affairs staff")
    REVIEWER = "reviewer", _("Department reviewer")
    SECRETARY = "secretary", _("Branch secretary")


class User(AbstractUser):
    """A user of branchtrack. Every user belongs to one unit; the role says what they do there."""

    Role = Role

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("unit")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("department"),
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("branch"),
    )

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        errors = {}
        if not self.is_superuser and self.unit_id is None and self.branch_id is None:
            errors["unit"] = _("Every user belongs to a unit.")
        if self.role == Role.REVIEWER and self.department_id is None:
            errors["department"] = _("A reviewer rates for a department; choose one.")
        if self.role == Role.SECRETARY and self.branch_id is None:
            errors["branch"] = _("A branch secretary needs their branch.")
        if self.branch_id and self.unit_id and self.branch.unit_id != self.unit_id:
            errors["branch"] = _("The branch must belong to the user's unit.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # A secretary's unit follows their branch, so unit scoping never disagrees with it.
        if self.branch_id and self.unit_id is None:
            self.unit_id = Branch.objects.values_list("unit_id", flat=True).get(pk=self.branch_id)
        super().save(*args, **kwargs)

    @property
    def role_label(self) -> str:
        return self.get_role_display()

    @property
    def effective_role(self) -> str:
        """The role that decides what the user sees: a superuser is an administrator whatever their role."""
        return Role.ADMIN if self.is_superuser else self.role

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_company_level(self) -> bool:
        """Company-level users work on every unit; unit-level ones on their unit's subtree only."""
        return self.is_superuser or (self.unit is not None and self.unit.depth == 1)
