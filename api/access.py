"""Who may call what: the roles of the matching pages, and read-only tokens only read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiToken

ADMIN, STAFF, REVIEWER, SECRETARY = "admin", "staff", "reviewer", "secretary"
EVERYONE = frozenset({ADMIN, STAFF, REVIEWER, SECRETARY})
OFFICE = frozenset({ADMIN, STAFF})


class RoleAndTokenAccess(BasePermission):
    """Signed in (session or token), a role the endpoint serves, and a token allowed to write."""

    message = _("Your role cannot use this endpoint.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method not in SAFE_METHODS:
            if isinstance(request.auth, ApiToken) and not request.auth.can_write:
                self.message = _("This token is read-only.")
                return False
            roles = getattr(view, "write_roles", None) or getattr(view, "roles", EVERYONE)
        else:
            roles = getattr(view, "roles", EVERYONE)
        return user.effective_role in roles
