from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import NavItem
from org.models import Role

NAV_ITEMS = [
    NavItem(
        _("Year-end assessment"),
        "assessment:export_list",
        roles=frozenset({Role.ADMIN}),
        description=_("Export the year's party-building assessment sheet (Excel or CSV) for your scope."),
        order=800,
    ),
]
