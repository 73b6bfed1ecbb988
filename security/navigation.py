from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("Audit log"),
        "audit_log",
        description=_("Who changed which record, when, and what the values were before and after."),
        order=950,
    ),
]
