from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("Year-end assessment"),
        "assessment:export_list",
        description=_("Export the year's party-building assessment sheet (Excel or CSV) for your scope."),
        order=800,
    ),
]
