"""The email that goes with escalating overdue problems (`services.escalate_overdue_problems`).

The in-app notice reaches an owner unit's administrators when they next open the problems list;
the email reaches them the morning the problem becomes overdue. A unit without an administrator
who has an email address passes its problems to the nearest ancestor unit that has one, so no
escalated problem goes unannounced. Sent after the escalation commits; a mail server outage is
logged and never undoes the escalation (the in-app notice still stands).
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from org.models import Role, Unit, User
from supervision.models import Finding

logger = logging.getLogger(__name__)


def _recipients_by_unit(owner_units: list[Unit]) -> dict[int, list[User]]:
    """For each owner unit id, the administrators with an email address of it or its nearest ancestor."""
    paths = {path for unit in owner_units for path in Unit.lineage_paths(unit.path)}
    admins_by_path: dict[str, list[User]] = defaultdict(list)
    for admin in (
        User.objects.filter(role=Role.ADMIN, is_active=True, unit__path__in=paths)
        .exclude(email="")
        .select_related("unit")
        .order_by("username")
    ):
        admins_by_path[admin.unit.path].append(admin)
    recipients = {}
    for unit in owner_units:
        for path in reversed(Unit.lineage_paths(unit.path)):
            if admins_by_path.get(path):
                recipients[unit.pk] = admins_by_path[path]
                break
    return recipients


def send_escalation_mail(*, problem_ids: list[int]) -> int:
    """Email each recipient the escalated problems they answer for; returns the number of emails sent."""
    problems = list(
        Finding.objects.filter(pk__in=problem_ids)
        .select_related("owner_unit", "visit__branch")
        .order_by("owner_unit__path", "due_on", "pk")
    )
    owner_units = list({problem.owner_unit_id: problem.owner_unit for problem in problems}.values())
    recipients = _recipients_by_unit(owner_units)
    by_recipient: dict[User, list[Finding]] = defaultdict(list)
    for problem in problems:
        for admin in recipients.get(problem.owner_unit_id, []):
            by_recipient[admin].append(problem)
        if problem.owner_unit_id not in recipients:
            logger.warning("escalated problem %s: no administrator with an email to tell", problem.pk)
    base_url = settings.SITE_URL.rstrip("/")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for admin, their_problems in by_recipient.items():
            context = {
                "admin": admin,
                "problems": [
                    (problem, base_url + reverse("supervision:problem_detail", args=[problem.pk]))
                    for problem in their_problems
                ],
                "list_url": base_url + reverse("supervision:problem_list") + "?escalated=1&overdue=1",
            }
            subject = render_to_string("supervision/email/escalated_problems_subject.txt", context).strip()
            body = render_to_string("supervision/email/escalated_problems.txt", context)
            messages.append(EmailMessage(subject, body, to=[admin.email]))
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("escalation mail not sent (%s messages); the in-app notice stands", len(messages))
        return 0
