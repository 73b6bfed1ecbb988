from django.contrib import admin

from security.models import LoginFailure


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Failed log-ins, for spotting attacks; deleting an account's rows lifts its lock at once."""

    list_display = ["at", "username", "ip"]
    search_fields = ["username", "ip"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
