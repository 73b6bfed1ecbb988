from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import ADMINISTRATION, NavItem
from org.models import Role

NAV_ITEMS = [
    NavItem(_("Home"), "home", order=0),
    NavItem(
        _("Party branches"),
        "branch_list",
        roles=frozenset({Role.ADMIN, Role.STAFF}),
        description=_("All branches in your scope, filterable by unit."),
        order=10,
    ),
    NavItem(
        _("Import organisation"),
        "org_import",
        roles=frozenset({Role.ADMIN}),
        description=_("Upload units, branches and departments from Excel or CSV."),
        order=900,
        group=ADMINISTRATION,
        company_level_only=True,
    ),
]
