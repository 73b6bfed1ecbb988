"""The organisation: units (a tree), branches, departments and users with a role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from org.permissions import (
    ScopedQuerySet,
    branch_scope_q,
    is_company_admin,
    unit_scope_path,
    unit_subtree_q,
)
from org.roles import Role

__all__ = ["Branch", "Department", "Role", "Unit", "User"]


class UnitQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    # The tree changes through the organisation import, which spans the whole company.
    def visible_to(self, user) -> UnitQuerySet:
        """The user's unit subtree; users without a unit-wide scope see their own unit only."""
        if unit_scope_path(user) is None:
            signed_in = getattr(user, "is_authenticated", False) and user.is_active
            own = user.unit_id if signed_in else None
            return self.filter(pk=own) if own is not None else self.none()
        return self.restricted(unit_subtree_q(user, unit=""))

    def editable_by(self, user) -> UnitQuerySet:
        return self.all() if is_company_admin(user) else self.none()

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


class BranchQuerySet(ScopedQuerySet):
    def active(self) -> BranchQuerySet:
        return self.filter(active=True)

    def in_subtree(self, unit: Unit) -> BranchQuerySet:
        return self.filter(unit__path__startswith=unit.path)

    def visible_to(self, user) -> BranchQuerySet:
        return self.restricted(branch_scope_q(user, branch=""))

    def editable_by(self, user) -> BranchQuerySet:
        # Branches change through the organisation import, which spans the whole company.
        return self.all() if is_company_admin(user) else self.none()


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


class DepartmentQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> DepartmentQuerySet:
        """Departments are company-wide: every signed-in user sees them."""
        return self.all() if getattr(user, "is_authenticated", False) and user.is_active else self.none()

    def editable_by(self, user) -> DepartmentQuerySet:
        return self.all() if is_company_admin(user) else self.none()


class Department(models.Model):
    """A professional department (专业部门); departments rate branch projects."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    objects = DepartmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> UserQuerySet:
        """Office roles see the users of their unit subtree; everybody sees themselves."""
        if not (getattr(user, "is_authenticated", False) and user.is_active):
            return self.none()
        condition = unit_subtree_q(user)
        return self.all() if condition is None else self.filter(condition | Q(pk=user.pk))

    def editable_by(self, user) -> UserQuerySet:
        # Accounts are managed in the admin site by company administrators.
        return self.all() if is_company_admin(user) else self.none()


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user...) with the permission API's scope methods."""


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

    objects = ScopedUserManager()
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
