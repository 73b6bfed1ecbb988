from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    # The label predates the move to org/: tables, migrations, content types and AUTH_USER_MODEL
    # all carry "branchtrack", so keeping it means no data migration.
    name = "org"
    label = "branchtrack"
    verbose_name = _("Organisation")
