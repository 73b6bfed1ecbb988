from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import ADMINISTRATION, NavItem

NAV_ITEMS = [
    NavItem(
        _("API tokens"),
        "api:tokens",
        description=_(
            "Tokens that let other systems read (or write) what you may see, through the REST API."
        ),
        order=950,
        group=ADMINISTRATION,
    ),
    NavItem(
        _("API documentation"),
        "api:docs",
        description=_("Every endpoint of the REST API, with its filters, and a way to try it."),
        order=951,
        group=ADMINISTRATION,
    ),
    NavItem(
        _("Service tokens"),
        "api:service_tokens",
        description=_("Tokens for systems (big screens, the OA portal) limited to a unit's scope."),
        order=952,
        group=ADMINISTRATION,
    ),
]
