from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from org.models import Branch, Department, Unit, User


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin, TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Branch)
class BranchAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "secretary", "member_count", "active"]
    list_filter = ["active", "unit"]
    search_fields = ["code", "name", "secretary", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "role", "unit", "department", "branch", "is_active"]
    list_filter = ["role", "is_active", "unit", "department"]
    search_fields = ["username", "first_name", "last_name", "email", "unit__name", "branch__name"]
    list_select_related = ["unit", "department", "branch"]
    autocomplete_fields = ["unit", "department", "branch"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role in branchtrack"), {"fields": ("role", "unit", "department", "branch")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role in branchtrack"), {"fields": ("role", "unit", "department", "branch")}),
    )
