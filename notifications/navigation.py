from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("Notification channels"),
        "notifications:channels",
        description=_("Connect your unit's WeCom, DingTalk or Feishu group, a webhook or an email address."),
        order=850,
    ),
    NavItem(
        _("Notification preferences"),
        "notifications:preferences",
        description=_("Choose which notices reach you by email, in the app only, or not at all."),
        order=860,
    ),
]
