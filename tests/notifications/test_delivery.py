"""Events reach their recipients in-app and by email, and unit channels by webhook: signed, retried,
deduplicated, scoped, and never in the way of the action that caused them."""

import base64
import datetime
import hashlib
import hmac
import json
import urllib.parse

import pytest
from django.core import mail
from django.utils import timezone, translation

from notifications import kinds, reminders, services, tasks
from notifications.models import Delivery, MailLanguage, Notice, Notification, Preference
from org.models import User
from supervision import services as supervision_services
from supervision.models import Finding, PlannedVisit
from tests.factories import UserFactory
from tests.supervision.factories import ProblemFactory, VisitFactory

DUE = datetime.date(2020, 7, 1)


def add_problem(org, campaign, *, branch=None, title="支部学习记录不全", due_on=DUE):
    visit = VisitFactory(campaign=campaign, branch=branch or org.city_branch)
    return supervision_services.add_finding(
        visit=visit, kind=Finding.Kind.PROBLEM, title=title, due_on=due_on
    )


def titles_of(user) -> list[str]:
    with translation.override("en"):
        return [n.notice.title for n in Notification.objects.for_user(user).select_related("notice")]


@pytest.mark.django_db
def test_a_problem_found_in_a_branch_reaches_its_secretary_in_app_and_by_email(
    org, campaign, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=org.secretary.pk).update(email="secretary@example.com")
    MailLanguage.objects.create(user=org.secretary, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        problem = add_problem(org, campaign)

    assert titles_of(org.secretary) == ["Problem found in 城区党支部: 支部学习记录不全 (due 2020-07-01)"]
    # Nobody else's branch: the other users hear nothing of it.
    assert Notification.objects.exclude(recipient=org.secretary).count() == 0
    (message,) = mail.outbox
    assert message.to == ["secretary@example.com"]
    assert message.subject == "[branchtrack] Problem found in 城区党支部: 支部学习记录不全 (due 2020-07-01)"
    assert f"http://127.0.0.1:8000/supervision/problems/{problem.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert (
        mimetype == "text/html" and f'href="http://127.0.0.1:8000/supervision/problems/{problem.pk}/"' in html
    )


@pytest.mark.django_db
def test_email_is_written_in_the_recipients_language(org, campaign, django_capture_on_commit_callbacks):
    User.objects.filter(pk=org.secretary.pk).update(email="secretary@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        add_problem(org, campaign)
    assert mail.outbox[0].subject == "[branchtrack] 城区党支部发现问题：支部学习记录不全（限期 2020-07-01）"


@pytest.mark.django_db
def test_the_daily_job_run_twice_tells_everyone_once(org, campaign, django_capture_on_commit_callbacks):
    User.objects.filter(pk=org.unit_admin.pk).update(email="county-admin@example.com")
    ProblemFactory(
        visit=VisitFactory(campaign=campaign, branch=org.county_branch), due_on=DUE, title="台账缺失"
    )
    ProblemFactory(
        visit=VisitFactory(campaign=campaign, branch=org.county_branch), due_on=DUE.replace(day=10)
    )
    today = DUE - datetime.timedelta(days=3)

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_daily_reminders(today=today) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_daily_reminders(today=today) == 0

    assert titles_of(org.unit_admin) == ["Problem due 2020-07-01: 台账缺失 (县公司党支部)"]
    assert Notice.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["county-admin@example.com"]]


@pytest.mark.django_db
def test_escalated_problems_reach_the_owner_units_admin_or_the_nearest_above(
    org, campaign, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=org.unit_admin.pk).update(email="county-admin@example.com")
    User.objects.filter(pk=org.admin.pk).update(email="company-admin@example.com")
    ProblemFactory(
        visit=VisitFactory(campaign=campaign, branch=org.station_branch), title="支委会记录缺失", due_on=DUE
    )
    city_problem = ProblemFactory(
        visit=VisitFactory(campaign=campaign, branch=org.city_branch), title="党费收缴台账不全", due_on=DUE
    )
    today = datetime.date(2021, 1, 15)

    with django_capture_on_commit_callbacks(execute=True):
        assert supervision_services.escalate_overdue_problems(today=today) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert supervision_services.escalate_overdue_problems(today=today) == 0  # already escalated

    # The station has no administrator: the county's hears of its problem; the city has none either,
    # and above it is the company.
    assert titles_of(org.unit_admin) == [
        "Overdue problem escalated: 支委会记录缺失 (供电所党支部, due 2020-07-01)"
    ]
    assert titles_of(org.admin) == [
        "Overdue problem escalated: 党费收缴台账不全 (城区党支部, due 2020-07-01)"
    ]
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    assert (
        by_recipient["county-admin@example.com"].subject
        == "[branchtrack] 逾期问题已上报：支委会记录缺失（供电所党支部，限期 2020-07-01）"
    )
    assert (
        f"http://127.0.0.1:8000/supervision/problems/{city_problem.pk}/"
        in by_recipient["company-admin@example.com"].body
    )


@pytest.mark.django_db
def test_an_escalation_cannot_be_turned_off(org, campaign, django_capture_on_commit_callbacks):
    Preference.objects.create(user=org.unit_admin, kind=kinds.PROBLEM_OVERDUE, choice="off")
    Preference.objects.create(user=org.unit_admin, kind=kinds.PROBLEM_DUE_SOON, choice="off")
    ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.county_branch), due_on=DUE)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_daily_reminders(today=DUE - datetime.timedelta(days=1))
        supervision_services.escalate_overdue_problems(today=datetime.date(2021, 1, 15))
    assert [n.notice.kind for n in Notification.objects.for_user(org.unit_admin)] == [kinds.PROBLEM_OVERDUE]


@pytest.mark.django_db
def test_nobody_hears_of_objects_outside_their_scope(org, campaign, django_capture_on_commit_callbacks):
    other_secretary = UserFactory(
        username="t-sec2", role="secretary", unit=org.county, branch=org.county_branch
    )
    with django_capture_on_commit_callbacks(execute=True):
        problem = add_problem(org, campaign, branch=org.city_branch)
        # Even a receiver handed a recipient outside the event's scope drops them.
        services.publish(
            kind=kinds.PROBLEM_DUE_SOON,
            drafts=[
                services.Draft(
                    dedup_key="scope-test",
                    recipients=[org.unit_admin, org.unit_staff, other_secretary, org.secretary, org.admin],
                    unit=org.city,
                    branch_id=org.city_branch.pk,
                    params={"title": problem.title, "branch": "x", "due_on": "y"},
                )
            ],
        )
    hearing = set(Notification.objects.values_list("recipient__username", flat=True))
    assert hearing == {"t-secretary", "t-admin"}


@pytest.mark.django_db
def test_a_dingtalk_channel_gets_a_signed_message_of_its_subtrees_events(
    org, campaign, receiver, django_capture_on_commit_callbacks
):
    services.add_channel(
        user=org.admin, unit=org.city, kind="dingtalk", name="城区群", target=receiver.url, secret="SEC123"
    )
    services.add_channel(user=org.admin, unit=org.county, kind="dingtalk", name="县群", target=receiver.url)
    before = int(timezone.now().timestamp() * 1000)
    with django_capture_on_commit_callbacks(execute=True):
        problem = add_problem(org, campaign)

    (request,) = receiver.requests  # the county's group hears nothing of the city
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    assert query["access_token"] == ["abc"]
    timestamp = query["timestamp"][0]
    assert int(timestamp) >= before
    expected = base64.b64encode(
        hmac.new(b"SEC123", f"{timestamp}\nSEC123".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]
    body = json.loads(request["body"])
    assert body == {
        "msgtype": "text",
        "text": {
            "content": "城区党支部发现问题：支部学习记录不全（限期 2020-07-01）\n"
            f"http://127.0.0.1:8000/supervision/problems/{problem.pk}/"
        },
    }
    assert Delivery.objects.get().status == Delivery.Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "check"),
    [
        (
            "wecom",
            lambda body, headers: body["msgtype"] == "text" and "支部学习记录不全" in body["text"]["content"],
        ),
        (
            "feishu",
            lambda body, headers: (
                body["msg_type"] == "text"
                and body["sign"]
                == base64.b64encode(
                    hmac.new(f"{body['timestamp']}\nFS".encode(), b"", hashlib.sha256).digest()
                ).decode()
            ),
        ),
        (
            "webhook",
            lambda body, headers: (
                body["kind"] == "problem_found"
                and headers["X-Branchtrack-Signature"]
                == hmac.new(b"FS", json.dumps(body, ensure_ascii=False).encode(), hashlib.sha256).hexdigest()
            ),
        ),
    ],
)
def test_wecom_feishu_and_generic_webhooks(
    org, campaign, receiver, django_capture_on_commit_callbacks, kind, check
):
    services.add_channel(
        user=org.admin, unit=org.company, kind=kind, name="群", target=receiver.url, secret="FS"
    )
    with django_capture_on_commit_callbacks(execute=True):
        add_problem(org, campaign)
    (request,) = receiver.requests
    assert check(json.loads(request["body"]), request["headers"])


@pytest.mark.django_db
def test_a_receiver_down_then_up_gets_the_message_on_the_retry(
    org, campaign, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    services.add_channel(user=org.admin, unit=org.company, kind="wecom", name="公司群", target=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        add_problem(org, campaign)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert "500" in delivery.last_error

    assert tasks.send_due_deliveries() == 0  # the backoff has not passed yet
    Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    assert tasks.send_due_deliveries() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
    assert len(receiver.requests) == 2


@pytest.mark.django_db
def test_a_channel_that_is_down_never_blocks_the_action_and_fails_visibly_in_the_end(
    org, campaign, closed_port, caplog, login, django_capture_on_commit_callbacks
):
    services.add_channel(user=org.admin, unit=org.company, kind="dingtalk", name="公司群", target=closed_port)
    with django_capture_on_commit_callbacks(execute=True):
        problem = add_problem(org, campaign)
    assert Finding.objects.filter(pk=problem.pk).exists()
    assert Notification.objects.filter(recipient=org.secretary).count() == 1
    assert "delivery" in caplog.text and "failed (attempt 1)" in caplog.text
    for _attempt in range(services.MAX_ATTEMPTS - 1):
        Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
        tasks.send_due_deliveries()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, services.MAX_ATTEMPTS)

    page = login(org.admin).get("/notifications/channels/").content.decode()
    assert "城区党支部发现问题：支部学习记录不全" in page and "Connection refused" in page


@pytest.mark.django_db
def test_a_channel_hears_at_most_its_rate_a_minute(
    org, campaign, receiver, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_CHANNEL_RATE_PER_MINUTE = 2
    services.add_channel(user=org.admin, unit=org.company, kind="wecom", name="公司群", target=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            add_problem(org, campaign, title=f"问题{number}")
    assert len(receiver.requests) == 2
    held = Delivery.objects.get(status=Delivery.Status.PENDING)
    assert held.attempts == 0 and held.next_attempt_at > timezone.now()


@pytest.mark.django_db
def test_visits_tomorrow_and_missed_visits_reach_their_visitors(
    org, campaign, django_capture_on_commit_callbacks
):
    tomorrow_plan = PlannedVisit.objects.create(
        campaign=campaign,
        branch=org.county_branch,
        planned_on=datetime.date(2020, 6, 2),
        created_by=org.admin,
    )
    tomorrow_plan.visitor_links.create(user=org.unit_staff)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_daily_reminders(today=datetime.date(2020, 6, 1))
        supervision_services.mark_missed_plans(today=datetime.date(2020, 6, 3))
    assert titles_of(org.unit_staff) == [
        "Planned visit missed: 县公司党支部 (due 2020-06-02)",
        "Planned visit tomorrow: 县公司党支部 (2020-06-02)",
    ]
    assert titles_of(org.admin) == ["Planned visit missed: 县公司党支部 (due 2020-06-02)"]


@pytest.mark.django_db
def test_the_requester_hears_their_export_finished_or_failed(org, settings, tmp_path):
    from assessment.models import ExportJob
    from assessment.services import run_export

    settings.MEDIA_ROOT = tmp_path
    done = run_export(
        job_id=ExportJob.objects.create(year=2020, unit=org.county, requested_by=org.unit_admin).pk
    )
    run_export(job_id=done.pk)  # a finished job run again tells nobody twice
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.assessment.test_export_flow.FullDiskStorage"},
    }
    run_export(job_id=ExportJob.objects.create(year=2020, unit=org.county, requested_by=org.unit_admin).pk)
    titles = titles_of(org.unit_admin)
    assert len(titles) == 2
    assert (
        titles[0].startswith("Your export ")
        and "failed" in titles[0]
        and "No space left on device" in titles[0]
    )
    assert titles[1].startswith("Your export ") and titles[1].endswith("is ready to download")
