"""The one permission layer: what a user may see and change, by role and place in the org chart.

Views, forms, exports and selectors all scope their querysets through these functions, so an
object outside a user's scope is simply not found (404) rather than forbidden (which would leak
that it exists).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from org.models import Branch, Role, Unit

EVERYTHING = ""


def unit_scope_path(user) -> str | None:
    """Materialized-path prefix of the unit subtree the user works on.

    "" means the whole company; None means no unit-wide scope at all (reviewers, secretaries,
    anonymous users), whose access is granted object by object instead.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return EVERYTHING
    if user.role in (Role.ADMIN, Role.STAFF) and user.unit_id is not None:
        return user.unit.path
    return None


def units_visible_to(user, queryset: QuerySet[Unit] | None = None) -> QuerySet[Unit]:
    queryset = Unit.objects.all() if queryset is None else queryset
    prefix = unit_scope_path(user)
    if prefix is None:
        if getattr(user, "is_authenticated", False) and user.unit_id is not None:
            return queryset.filter(pk=user.unit_id)
        return queryset.none()
    return queryset if prefix == EVERYTHING else queryset.filter(path__startswith=prefix)


def branches_visible_to(user, queryset: QuerySet[Branch] | None = None) -> QuerySet[Branch]:
    queryset = Branch.objects.all() if queryset is None else queryset
    if getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.SECRETARY:
        return queryset.filter(pk=user.branch_id) if user.branch_id else queryset.none()
    prefix = unit_scope_path(user)
    if prefix is None:
        return queryset.none()
    if prefix == EVERYTHING:
        # No join to the units just to match every path: counting 50,000 branches costs half.
        return queryset
    return queryset.filter(unit__path__startswith=prefix)


def unit_in_scope(user, unit: Unit) -> bool:
    prefix = unit_scope_path(user)
    return prefix is not None and unit.path.startswith(prefix)


def is_admin(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active and user.is_admin


def get_visible_or_404(queryset: QuerySet, **lookup):
    """get_object_or_404 on an already scoped queryset; named so call sites read as a policy."""
    return get_object_or_404(queryset, **lookup)


def role_required(*roles: str):
    """View decorator: only these roles (superusers count as admins) may open the page; others get 403.

    Object-level checks still go through the scoped querysets above (404 for foreign objects).
    """
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            user = request.user
            role = Role.ADMIN if user.is_superuser else user.role
            if role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
