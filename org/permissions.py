"""The permission API: what a user may see and what they may change, by role and place in the org chart.

Every business model's queryset answers two questions (in the spirit of NetBox's
`RestrictedQuerySet.restrict(user, action)`):

    Model.objects.visible_to(user)    the rows the user may open (lists, details, exports, charts, API)
    Model.objects.editable_by(user)   the rows the user may change (edit URLs, POST actions, API writes)

Views look objects up in one of them with `get_object_or_404`, so an object outside the user's scope,
or one they may only read, is simply not found (404) rather than forbidden (which would leak that it
exists). Pages as a whole are guarded by `role_required(...)` and `company_admin_required` (403 with
the translated "Not allowed" page); each guard records its predicate on the view, so the menu shows
exactly the pages a user may open (`branchtrack.web.navigation`).

This module imports no model: the querysets in each app's models.py subclass `ScopedQuerySet` and
write their rules with the helpers below.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import BooleanField, Exists, OuterRef, Q, Value

from branchtrack.web.navigation import guard_view
from org.roles import Role

EVERYTHING = ""
# The roles that work in the party-affairs office of a unit: they log visits, meetings, pairings...
OFFICE_ROLES = (Role.ADMIN, Role.STAFF)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def has_role(user, *roles: str) -> bool:
    """An active, signed-in user whose role (superusers count as administrators) is one of `roles`."""
    return _signed_in(user) and user.effective_role in roles


def is_admin(user) -> bool:
    return _signed_in(user) and user.is_admin


def is_company_admin(user) -> bool:
    """An administrator of the whole company (not of one unit's subtree)."""
    return is_admin(user) and user.is_company_level


def unit_scope_path(user) -> str | None:
    """Materialized-path prefix of the unit subtree the user works on.

    "" means the whole company; None means no unit-wide scope at all (reviewers, secretaries,
    anonymous users), whose access is granted object by object instead.
    """
    if not _signed_in(user):
        return None
    if user.is_superuser:
        return EVERYTHING
    if user.role in OFFICE_ROLES and user.unit_id is not None:
        return user.unit.path
    return None


def unit_in_scope(user, unit) -> bool:
    prefix = unit_scope_path(user)
    return prefix is not None and unit.path.startswith(prefix)


def unit_subtree_q(user, *, unit: str = "unit") -> Q | None:
    """Rows whose unit (reached by the lookup `unit`, "" for Unit itself) lies in the user's subtree.

    None: every row (company level); an empty match for users without a unit-wide scope.
    """
    prefix = unit_scope_path(user)
    if prefix is None:
        return Q(pk__in=[])
    if prefix == EVERYTHING:
        return None
    return Q(**{f"{unit}__path__startswith" if unit else "path__startswith": prefix})


def branch_scope_q(user, *, branch: str = "branch") -> Q | None:
    """Rows whose branch (reached by the lookup `branch`, "" for Branch itself) the user sees.

    A secretary sees their own branch; office roles the branches of their unit subtree (None: every
    branch, without joining the units just to match every path); nobody else any.
    """
    own = f"{branch}_id" if branch else "pk"
    unit = f"{branch}__unit" if branch else "unit"
    if _signed_in(user) and user.role == Role.SECRETARY:
        return Q(**{own: user.branch_id}) if user.branch_id else Q(pk__in=[])
    return unit_subtree_q(user, unit=unit)


class ScopedQuerySet(models.QuerySet):
    """Base of every business model's queryset: `visible_to(user)` and `editable_by(user)`.

    A subclass writes `visible_to`; `editable_by` defaults to "what the user sees, if their role is
    one of `editor_roles`" (superusers count as administrators). Read-only models keep
    `editor_roles` empty; rules that differ override `editable_by`.
    """

    editor_roles: tuple[str, ...] = ()

    def visible_to(self, user) -> ScopedQuerySet:
        raise NotImplementedError(f"{type(self).__name__} must say what a user may see")

    def editable_by(self, user) -> ScopedQuerySet:
        if not has_role(user, *self.editor_roles):
            return self.none()
        return self.visible_to(user)

    def with_editable(self, user) -> ScopedQuerySet:
        """Annotate `editable` (may `user` change the row?) without another query; call it on a
        queryset already limited by `visible_to(user)`."""
        editable = self.model._default_manager.editable_by(user)
        if editable.query.is_empty():
            flag = Value(False, output_field=BooleanField())
        elif type(self).editable_by is ScopedQuerySet.editable_by:
            flag = Value(
                True, output_field=BooleanField()
            )  # the default rule: everything the user sees, for an editor role
        else:
            flag = Exists(editable.filter(pk=OuterRef("pk")))
        return self.annotate(editable=flag)

    def restricted(self, condition: Q | None) -> ScopedQuerySet:
        """Filter by a scope condition (None: no restriction)."""
        return self.all() if condition is None else self.filter(condition)


def role_required(*roles: str):
    """View decorator: only these roles (superusers count as administrators) open the page; others get 403.

    Object-level checks go through the scoped querysets above (404 for foreign objects).
    """
    return page_guard(lambda user: has_role(user, *roles))


def page_guard(predicate: Callable[[object], bool]):
    """View decorator: signed-in users for whom `predicate(user)` holds open the page; others get 403.

    The predicate is recorded on the view (`guard_view`), so the menu offers the page to exactly
    the users it would let in.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guard_view(wrapped, predicate)

    return decorator


# "Company administrators only", written once: the organisation import and export, rating rounds and
# published lists, the year freeze, the audit trail and service tokens span every unit.
company_admin_required = page_guard(is_company_admin)
