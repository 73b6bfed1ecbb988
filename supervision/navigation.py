from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import ALL_ROLES, NavItem
from org.models import Role

OFFICE = frozenset({Role.ADMIN, Role.STAFF})

NAV_ITEMS = [
    NavItem(
        _("Supervision dashboard"),
        "supervision:index",
        roles=OFFICE,
        description=_("走遍支部 coverage by unit, the trend, and the branches still to visit."),
        order=20,
    ),
    NavItem(
        _("Visits"),
        "supervision:visit_list",
        roles=frozenset({Role.ADMIN, Role.STAFF, Role.SECRETARY}),
        description=_("Log a supervision visit, score the checklist, record findings."),
        order=21,
    ),
    NavItem(
        _("Problems"),
        "supervision:problem_list",
        roles=frozenset({Role.ADMIN, Role.STAFF, Role.SECRETARY}),
        description=_("Problems found on visits: owner, due date, status; overdue ones first."),
        order=22,
    ),
    NavItem(
        _("Good practices"),
        "supervision:good_practice_list",
        roles=ALL_ROLES,
        description=_("A catalogue of good practices found on visits, to learn from."),
        order=23,
    ),
    NavItem(
        _("Meetings attended"),
        "supervision:meeting_list",
        roles=OFFICE,
        description=_("Units' party-building meetings that staff sat in on."),
        order=24,
    ),
    NavItem(
        _("Feedback"),
        "supervision:feedback_list",
        roles=ALL_ROLES,
        description=_("Written feedback to units on their campaign results."),
        order=25,
    ),
    NavItem(
        _("My visits"),
        "supervision:my_visits",
        roles=OFFICE,
        description=_("Your planned visits: today, this week, overdue and done; log them from here."),
        order=19,
        badge="supervision.selectors.my_visits_badge",
    ),
    NavItem(
        _("Visit plan"),
        "supervision:plan_index",
        roles=OFFICE,
        description=_(
            "Who visits which branch when, the calendar, expected vs done, and the coverage forecast."
        ),
        order=20,
    ),
]
