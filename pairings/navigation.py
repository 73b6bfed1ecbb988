from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("Pairings"),
        "pairings:pairing_list",
        description=_("联创共建 with customers' party organisations; joint activities and their photos."),
        order=50,
    ),
    NavItem(
        _("Pairing summary"),
        "pairings:summary",
        description=_("Paired organisations, activities per theme and month, village liaison totals."),
        order=51,
    ),
    NavItem(
        _("Village liaison"),
        "pairings:liaison_list",
        description=_("党员联系乡村: WeChat groups and loudspeakers reaching villages and cadres."),
        order=53,
    ),
    NavItem(
        _("External organisations"),
        "pairings:external_org_list",
        description=_("Customers' and partners' party organisations."),
        order=54,
    ),
]
