from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BranchtrackConfig(AppConfig):
    name = "branchtrack"
    verbose_name = _("Organisation")
    default = True


class AdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "branchtrack.admin_site.AdminSite"
