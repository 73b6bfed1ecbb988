from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import ADMINISTRATION, NavItem

NAV_ITEMS = [
    NavItem(_("Home"), "home", order=0),
    NavItem(
        _("Party branches"),
        "branch_list",
        description=_("All branches in your scope, filterable by unit."),
        order=10,
    ),
    NavItem(
        _("Import organisation"),
        "org_import",
        description=_("Upload units, branches and departments from Excel or CSV."),
        order=900,
        group=ADMINISTRATION,
    ),
]
