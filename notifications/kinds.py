"""The kinds of notice: what each says, who may turn it off, and where it goes by default.

A kind's title is a translatable format string filled from the notice's stored parameters when it is
shown or sent, so the same notice reads in each recipient's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

IN_APP = "in_app"
EMAIL = "email"
OFF = "off"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    title: str  # a format string over the notice's params
    default: str = EMAIL  # IN_APP or EMAIL
    can_turn_off: bool = True
    # Whether unit channels (group robots) hear it: not a reminder addressed to one person, nor a
    # digest (a group above would hear every unit's).
    to_channels: bool = True


PROBLEM_FOUND = "problem_found"
PROBLEM_DUE_SOON = "problem_due_soon"
PROBLEM_OVERDUE = "problem_overdue"
VISIT_TOMORROW = "visit_tomorrow"
VISIT_MISSED = "visit_missed"
EXPORT_FINISHED = "export_finished"
EXPORT_FAILED = "export_failed"
RATING_WINDOW_CLOSING = "rating_window_closing"
PROJECT_NEEDS_REVIEW = "project_needs_review"
TRACKING_LIST_PUBLISHED = "tracking_list_published"
OUTSTANDING_LIST_CONFIRMED = "outstanding_list_confirmed"
PAIRING_DORMANT = "pairing_dormant"
WEEKLY_DIGEST = "weekly_digest"

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            PROBLEM_FOUND,
            _("A problem was found in your branch"),
            _("Problem found in %(branch)s: %(title)s (due %(due_on)s)"),
        ),
        Kind(
            PROBLEM_DUE_SOON,
            _("A problem is due in 3 days"),
            _("Problem due %(due_on)s: %(title)s (%(branch)s)"),
        ),
        Kind(
            PROBLEM_OVERDUE,
            _("An overdue problem is escalated to you"),
            _("Overdue problem escalated: %(title)s (%(branch)s, due %(due_on)s)"),
            can_turn_off=False,
        ),
        Kind(
            VISIT_TOMORROW,
            _("Your planned visit is tomorrow"),
            _("Planned visit tomorrow: %(branch)s (%(planned_on)s)"),
        ),
        Kind(
            VISIT_MISSED,
            _("A planned visit was missed"),
            _("Planned visit missed: %(branch)s (due %(due_on)s)"),
            default=IN_APP,
        ),
        Kind(
            EXPORT_FINISHED,
            _("Your export is ready"),
            _("Your export %(name)s is ready to download"),
            default=IN_APP,
        ),
        Kind(
            EXPORT_FAILED,
            _("Your export failed"),
            _("Your export %(name)s failed: %(error)s"),
            can_turn_off=False,
        ),
        Kind(
            RATING_WINDOW_CLOSING,
            _("A rating window closes in 3 days"),
            _("The rating window of %(round)s closes on %(closes_on)s: %(unrated)s projects still unrated"),
            to_channels=False,
        ),
        Kind(
            PROJECT_NEEDS_REVIEW,
            _("A project you rated changed materially"),
            _(
                "%(project)s (%(branch)s) changed materially after you rated it (revision %(number)s): look again"
            ),
            to_channels=False,
        ),
        Kind(
            TRACKING_LIST_PUBLISHED,
            _("A tracking list was published"),
            _("Tracking list of %(round)s published: %(size)s projects"),
        ),
        Kind(
            OUTSTANDING_LIST_CONFIRMED,
            _("Outstanding projects were confirmed"),
            _("Outstanding projects of %(round)s confirmed: %(size)s projects"),
        ),
        Kind(
            PAIRING_DORMANT,
            _("A pairing turned dormant"),
            _("Pairing %(ours)s with %(external)s is dormant: no joint activity since %(quiet_since)s"),
            default=IN_APP,
        ),
        Kind(
            WEEKLY_DIGEST,
            _("Weekly digest of your unit"),
            _(
                "Week of %(week)s in %(unit)s: coverage %(coverage)s; visits %(visits_done)s done, "
                "%(plans_done)s of %(plans_due)s planned; problems %(opened)s opened, %(closed)s closed, "
                "%(overdue)s overdue"
            ),
            to_channels=False,
        ),
    )
}


def kind_of(code: str) -> Kind | None:
    return KINDS.get(code)


def title_of(code: str, params: dict) -> str:
    """The notice's one-line title in the active language; an unknown kind or a missing parameter
    shows the kind's code rather than failing the page."""
    kind = KINDS.get(code)
    if kind is None:
        return code
    try:
        return str(kind.title) % params
    except (KeyError, TypeError, ValueError):
        return str(kind.label)
