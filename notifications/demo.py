"""Notices of the reference scenario: what the demo users find on their bell on first sign-in, and two
group robots of 城东供电分公司 (WeCom and DingTalk) whose messages do not get through.

Everything goes through the real services and jobs, after the other apps' demo data (app order):
- staff visited the secretary's branch yesterday and found a problem (its secretary hears of it);
- a problem of another branch of the same unit is due in 2 days (the daily job tells its administrator);
- unitstaff has a planned visit tomorrow (the daily job reminds the visitors of tomorrow's plans);
- the open rating round's window closing, the notice the daily job sends 2 days before it closes (reviewers);
- the 2020 assessment export, ready for the administrator who asked for it.
The robots' addresses are a closed port on this machine, so a message is refused at once (no wait):
the channel page then lists failed deliveries, as it would when a robot was removed from its group.
Dates are relative to the day the demo is loaded, like the current campaign's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from assessment import services as assessment_services
from notifications import reminders, services
from notifications.models import Channel, Delivery, Notice
from org.models import User
from projects.models import RatingRound
from supervision import services as supervision_services
from supervision.demo import CURRENT_NAME
from supervision.models import Campaign, ChecklistItem, Finding, PlannedVisit, Visit

WECOM_NAME = "城东分公司党建工作群（企业微信）"
DINGTALK_NAME = "城东分公司党建工作群（钉钉）"
# Port 9 (discard) on the loopback: nothing listens there, so a connection is refused at once.
UNREACHABLE = "http://127.0.0.1:9"
WECOM_URL = f"{UNREACHABLE}/cgi-bin/webhook/send?key=demo-wecom-robot-key"
DINGTALK_URL = f"{UNREACHABLE}/robot/send?access_token=demo-dingtalk-robot-token"
DINGTALK_SECRET = "SECdemo0000000000000000000000000000000000000000000000000000000000"

PROBLEM_IN_SECRETARY_BRANCH = "“三会一课”记录不完整，组织生活会材料缺失"
PROBLEM_DUE_SOON = "党员积分评定结果未公示"


def load(*, stdout=None, today: datetime.date | None = None) -> None:
    if Channel.objects.filter(name=WECOM_NAME).exists():
        return
    today = today or timezone.localdate()
    users = {user.username: user for user in User.objects.select_related("unit", "branch__unit")}
    current = Campaign.objects.filter(name=CURRENT_NAME).first()
    needed = ("admin", "unitadmin", "staff", "unitstaff", "secretary")
    if current is None or any(name not in users for name in needed):
        return
    last_notice = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # One transaction: the deliveries below are made here, the same with or without a commit after
    # each step (the test loads the demo inside a transaction that never commits).
    with transaction.atomic():
        unit = users["secretary"].branch.unit
        for name, kind, target, secret in (
            (WECOM_NAME, Channel.Kind.WECOM, WECOM_URL, ""),
            (DINGTALK_NAME, Channel.Kind.DINGTALK, DINGTALK_URL, DINGTALK_SECRET),
        ):
            services.add_channel(
                user=users["unitadmin"], unit=unit, kind=kind, name=name, target=target, secret=secret
            )
        found = _problem_found_in_secretary_branch(users, current, today)
        _problem_due_soon(users, current, today)
        reminders.remind_problems_due_soon(today=today)
        _visit_tomorrow_for_unitstaff(users, current, today)
        reminders.remind_visits_tomorrow(today=today)
        open_round = RatingRound.objects.filter(status=RatingRound.Status.OPEN).order_by("year").first()
        if open_round is not None:
            reminders.remind_rating_windows_closing(today=open_round.closes_on - datetime.timedelta(days=2))
        job = assessment_services.start_export(user=users["admin"], year=2020, unit=None)
        assessment_services.run_export(job_id=job.pk)
        new_notices = list(Notice.objects.filter(pk__gt=last_notice).values_list("pk", flat=True))
        _deliver(new_notices, failed_notice_key=f"problem_found:{found.pk}")
    if stdout is not None:
        stdout.write(
            f"notifications: {len(new_notices)} notices, channels {WECOM_NAME} and {DINGTALK_NAME} "
            f"(unreachable on purpose)"
        )


def _scores(campaign: Campaign) -> dict:
    items = ChecklistItem.objects.filter(area__template=campaign.template).order_by("pk")
    return {
        item.pk: supervision_services.ScoreInput(score=min(item.max_score, Decimal("8"))) for item in items
    }


def _problem_found_in_secretary_branch(users: dict, current: Campaign, today: datetime.date) -> Finding:
    """Yesterday's visit to the secretary's branch (it carries out the branch's plan), with a problem."""
    visit = supervision_services.create_visit(
        user=users["staff"],
        campaign=current,
        branch=users["secretary"].branch,
        visited_on=max(today - datetime.timedelta(days=1), current.starts_on),
        visitors=users["staff"].get_full_name(),
        overall_comment="支部班子健全，学习教育扎实，组织生活记录需规范。",
        scores=_scores(current),
        complete=True,
        findings=[
            supervision_services.FindingInput(
                kind=Finding.Kind.PROBLEM,
                title=PROBLEM_IN_SECRETARY_BRANCH,
                description="近三个月支部委员会会议记录缺页，组织生活会征求意见材料未归档。",
                due_on=today + datetime.timedelta(days=30),
            )
        ],
    )
    return Finding.objects.get(visit=visit, title=PROBLEM_IN_SECRETARY_BRANCH)


def _problem_due_soon(users: dict, current: Campaign, today: datetime.date) -> Finding | None:
    """A problem found some weeks ago at another branch of the secretary's unit, due in 2 days."""
    unit = users["secretary"].branch.unit
    visit = (
        Visit.objects.filter(campaign=current, status=Visit.Status.COMPLETED, branch__unit=unit)
        .exclude(branch=users["secretary"].branch)
        .order_by("visited_on", "pk")
        .first()
    )
    if visit is None:
        return None
    return supervision_services.add_finding(
        visit=visit,
        kind=Finding.Kind.PROBLEM,
        title=PROBLEM_DUE_SOON,
        description="年度党员积分评定已完成，但结果未在支部公示栏公示。",
        due_on=today + datetime.timedelta(days=2),
    )


def _visit_tomorrow_for_unitstaff(users: dict, current: Campaign, today: datetime.date) -> None:
    """unitstaff's next planned visit, moved to tomorrow unless one is planned for tomorrow already."""
    tomorrow = today + datetime.timedelta(days=1)
    theirs = PlannedVisit.objects.open().filter(campaign=current, visitor_links__user=users["unitstaff"])
    if tomorrow > current.ends_on or theirs.filter(planned_on=tomorrow).exists():
        return
    plan = theirs.filter(planned_on__gt=tomorrow).order_by("planned_on", "pk").first()
    if plan is None:
        return
    supervision_services.update_plan(
        user=users["admin"],
        plan=plan,
        expected_version=plan.version,
        visitor_ids=[users["unitstaff"].pk],
        planned_on=tomorrow,
        today=today,
    )


def _deliver(notice_ids: list[int], *, failed_notice_key: str) -> None:
    """Send what the delivery task sends after the commit: the emails go out (the console in the
    demo), the robots refuse. One notice's robot messages have been through every retry (failed,
    listed for administrators); the others wait for their next attempt."""
    for delivery_id in services.plan_deliveries(notice_ids=notice_ids):
        services.attempt_delivery(delivery_id=delivery_id)
    retried = Delivery.objects.filter(
        notice__dedup_key=failed_notice_key, channel__isnull=False, status=Delivery.Status.PENDING
    ).order_by("pk")
    now = timezone.now()
    for delivery in retried:
        # As if the first attempt were 2.5 hours ago: each retry on its backoff, the last one just now.
        at = now - datetime.timedelta(seconds=sum(services.BACKOFF_SECONDS))
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=at)
        for _retry in range(services.MAX_ATTEMPTS - 1):
            services.attempt_delivery(delivery_id=delivery.pk, now=at)
            next_at = Delivery.objects.values_list("next_attempt_at", flat=True).get(pk=delivery.pk)
            at = next_at or at
