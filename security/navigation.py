from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import NavItem
from org.models import Role

NAV_ITEMS = [
    NavItem(
        _("Audit log"),
        "audit_log",
        roles=frozenset({Role.ADMIN}),
        description=_("Who changed which record, when, and what the values were before and after."),
        order=950,
    ),
]
