from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class AdminSite(admin.AdminSite):
    site_header = _("branchtrack administration")
    site_title = _("branchtrack")

    def has_permission(self, request) -> bool:
        # The Django admin edits everything unscoped, so only administrators get in, whatever is_staff says.
        user = request.user
        return user.is_active and user.is_staff and getattr(user, "is_admin", False)
