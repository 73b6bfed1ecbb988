from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("Branch projects"),
        "projects:list",
        description=_("一支部一项目一特色: each branch's project, its indicator and what became of it."),
        order=30,
    ),
    NavItem(
        _("My rating queue"),
        "projects:queue",
        description=_("Projects your department rates in the open round, with your progress."),
        order=31,
    ),
    NavItem(
        _("Nominate outstanding"),
        "projects:nominations",
        description=_("Propose tracking-list projects as outstanding (突出贡献项目)."),
        order=32,
    ),
    NavItem(
        _("Ratings"),
        "projects:ratings",
        description=_("Department ratings, filterable and exportable."),
        order=33,
    ),
    NavItem(
        _("Declared conflicts"),
        "projects:conflicts",
        description=_("Conflicts of interest reviewers declared, and those still to reassign."),
        order=35,
    ),
    NavItem(
        _("Rating rounds"),
        "projects:rounds",
        description=_("Windows, rules, ranking, the tracking list and the outstanding projects."),
        order=34,
    ),
]
