from django.utils.translation import gettext_lazy as _

from branchtrack.web.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        _("Supervision dashboard"),
        "supervision:index",
        description=_("走遍支部 coverage by unit, the trend, and the branches still to visit."),
        order=20,
    ),
    NavItem(
        _("Visits"),
        "supervision:visit_list",
        description=_("Log a supervision visit, score the checklist, record findings."),
        order=21,
    ),
    NavItem(
        _("Problems"),
        "supervision:problem_list",
        description=_("Problems found on visits: owner, due date, status; overdue ones first."),
        order=22,
    ),
    NavItem(
        _("Good practices"),
        "supervision:good_practice_list",
        description=_("A catalogue of good practices found on visits, to learn from."),
        order=23,
    ),
    NavItem(
        _("Meetings attended"),
        "supervision:meeting_list",
        description=_("Units' party-building meetings that staff sat in on."),
        order=24,
    ),
    NavItem(
        _("Feedback"),
        "supervision:feedback_list",
        description=_("Written feedback to units on their campaign results."),
        order=25,
    ),
    NavItem(
        _("My visits"),
        "supervision:my_visits",
        description=_("Your planned visits: today, this week, overdue and done; log them from here."),
        order=19,
        badge="supervision.selectors.my_visits_badge",
    ),
    NavItem(
        _("Visit plan"),
        "supervision:plan_index",
        description=_(
            "Who visits which branch when, the calendar, expected vs done, and the coverage forecast."
        ),
        order=20,
    ),
]
