from django.contrib.admin import apps as admin_apps


class AdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "branchtrack.admin_site.AdminSite"
