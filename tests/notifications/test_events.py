"""The remaining events of issue 18: rating windows closing, material revisions, published lists,
dormant pairings and the weekly digest. Each reaches exactly its recipients, nobody outside its
scope, once however often the job runs, in the reader's language."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from notifications import digest, kinds, reminders
from notifications.models import MailLanguage, Notice, Notification
from org.models import Role, User
from pairings.models import Pairing
from projects import selectors as project_selectors
from projects import services as project_services
from projects.models import Assignment, RatingRound, TrackingList
from supervision.models import CoverageSnapshot, Finding, PlannedVisit
from tests.factories import BranchFactory, DepartmentFactory, UnitFactory, UserFactory
from tests.pairings.factories import ActivityFactory, PairingFactory
from tests.projects.factories import (
    AssignmentFactory,
    BranchProjectFactory,
    RatingFactory,
    RatingRoundFactory,
)
from tests.supervision.factories import ProblemFactory, VisitFactory


def titles_of(user, language="en") -> list[str]:
    with translation.override(language):
        return [
            n.notice.title
            for n in Notification.objects.for_user(user).select_related("notice").order_by("notice__pk")
        ]


def hearing(kind: str) -> set[str]:
    return set(Notification.objects.filter(notice__kind=kind).values_list("recipient__username", flat=True))


# --- 1. a rating window closing in 3 days ------------------------------------------------------


@pytest.fixture
def open_round(org):
    """The org's three branches each with a project the department rates in the open 2020 round
    (closing 2020-05-31); two reviewers of the department, homes city and county."""
    rating_round = RatingRoundFactory(
        year=2020,
        status=RatingRound.Status.OPEN,
        opens_on=datetime.date(2020, 4, 1),
        closes_on=datetime.date(2020, 5, 31),
    )
    projects = {}
    for name in ("city", "county", "station"):
        project = BranchProjectFactory(
            branch=getattr(org, f"{name}_branch"), departments=[org.department], title=f"{name}项目"
        )
        Assignment.objects.create(round=rating_round, project=project, department=org.department)
        projects[name] = project
    county_reviewer = UserFactory(
        username="t-reviewer2", role=Role.REVIEWER, unit=org.county, department=org.department
    )
    return rating_round, projects, county_reviewer


@pytest.mark.django_db
def test_reviewers_hear_of_a_window_closing_in_3_days_with_their_unrated_count_once(
    org, open_round, django_capture_on_commit_callbacks
):
    rating_round, projects, county_reviewer = open_round
    # The city reviewer may rate county and station (city is their home); they rated county.
    RatingFactory(round=rating_round, project=projects["county"], rater=org.reviewer)
    # The county reviewer may rate only city (county and station are theirs); rated: nothing left.
    RatingFactory(round=rating_round, project=projects["city"], rater=county_reviewer)
    idle = UserFactory(
        username="t-reviewer3", role=Role.REVIEWER, unit=org.city, department=DepartmentFactory(code="D-X")
    )
    UserFactory(
        username="t-gone", role=Role.REVIEWER, unit=org.city, department=org.department, is_active=False
    )
    User.objects.filter(pk=org.reviewer.pk).update(email="reviewer@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_daily_reminders(today=datetime.date(2020, 5, 27)) == 0  # 4 days: not yet
        assert reminders.send_daily_reminders(today=datetime.date(2020, 5, 28)) == 1
        assert reminders.send_daily_reminders(today=datetime.date(2020, 5, 29)) == 0  # same window

    assert titles_of(org.reviewer) == [
        "The rating window of 2020年度项目评价 closes on 2020-05-31: 1 projects still unrated"
    ]
    assert titles_of(org.reviewer, "zh-hans") == [
        "2020年度项目评价的评价窗口将于 2020-05-31 关闭：还有 1 个项目未评"
    ]
    # The count is the reviewer's own queue's, as their queue page counts it.
    progress = project_selectors.reviewer_progress(user=org.reviewer, rating_round=rating_round)
    assert progress.remaining == 1
    assert hearing(kinds.RATING_WINDOW_CLOSING) == {"t-reviewer"}
    assert idle.notifications.count() == 0
    notice = Notice.objects.get(kind=kinds.RATING_WINDOW_CLOSING)
    assert notice.url == f"/projects/queue/?round={rating_round.pk}&show=todo"
    (message,) = mail.outbox
    assert message.to == ["reviewer@example.com"]
    assert message.subject.startswith("[branchtrack] 2020年度项目评价的评价窗口将于 2020-05-31 关闭")

    # The window is moved to a later date: a new window, a new reminder.
    RatingRound.objects.filter(pk=rating_round.pk).update(closes_on=datetime.date(2020, 6, 10))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_daily_reminders(today=datetime.date(2020, 6, 8)) == 1
    assert len(titles_of(org.reviewer)) == 2


@pytest.mark.django_db
def test_unrated_counts_match_each_reviewers_queue(org, open_round):
    rating_round, projects, county_reviewer = open_round
    other = DepartmentFactory(code="D-MKT")
    for project in projects.values():
        AssignmentFactory(round=rating_round, project=project, department=other)
    secretary_reviewer = UserFactory(
        username="t-rev-branch", role=Role.REVIEWER, unit=org.company, department=other
    )
    station_reviewer = UserFactory(
        username="t-rev-station",
        role=Role.REVIEWER,
        unit=org.city,
        branch=org.station_branch,
        department=other,
    )
    RatingFactory(round=rating_round, project=projects["station"], rater=org.reviewer)
    reviewers = [org.reviewer, county_reviewer, secretary_reviewer, station_reviewer]
    assigned = {org.department.pk: 3, other.pk: 3}
    counts = reminders.unrated_counts(rating_round=rating_round, reviewers=reviewers, assigned=assigned)
    assert counts == {
        reviewer.pk: project_selectors.reviewer_progress(user=reviewer, rating_round=rating_round).remaining
        for reviewer in reviewers
    }
    assert counts[secretary_reviewer.pk] == 0 and counts[station_reviewer.pk] == 1


@pytest.mark.django_db
def test_unrated_counts_follow_named_assignments(org, open_round):
    """The balanced assignment names reviewers: each hears of their own, not of the department's."""
    rating_round, projects, county_reviewer = open_round
    other = DepartmentFactory(code="D-MKT")
    headquarters = UnitFactory(parent=org.company, code="C-HQ")
    named = UserFactory(username="t-rev-named", role=Role.REVIEWER, unit=headquarters, department=other)
    idle = UserFactory(username="t-rev-idle", role=Role.REVIEWER, unit=headquarters, department=other)
    for project in (projects["city"], projects["county"]):
        AssignmentFactory(round=rating_round, project=project, department=other, reviewer=named)
    RatingFactory(round=rating_round, project=projects["city"], rater=named)
    reviewers = [org.reviewer, county_reviewer, named, idle]
    assigned = {org.department.pk: 3}
    counts = reminders.unrated_counts(rating_round=rating_round, reviewers=reviewers, assigned=assigned)
    assert counts == {
        reviewer.pk: project_selectors.reviewer_progress(user=reviewer, rating_round=rating_round).remaining
        for reviewer in reviewers
    }
    assert counts[named.pk] == 1 and counts[idle.pk] == 0


# --- 3. a project needing re-review after a material revision -----------------------------------


@pytest.mark.django_db
def test_raters_hear_of_a_material_revision_and_nobody_else(
    org, open_round, django_capture_on_commit_callbacks
):
    rating_round, projects, county_reviewer = open_round
    county = projects["county"]
    RatingFactory(round=rating_round, project=county, rater=org.reviewer)
    RatingFactory(round=rating_round, project=projects["city"], rater=county_reviewer)
    moved = UserFactory(username="t-moved", role=Role.REVIEWER, unit=org.company, department=org.department)
    RatingFactory(round=rating_round, project=county, rater=moved)
    User.objects.filter(pk=moved.pk).update(department=DepartmentFactory(code="D-NEW"))

    with django_capture_on_commit_callbacks(execute=True):
        # Not material (the description): nobody is asked to look again.
        project_services.update_project(
            user=org.admin,
            project=county,
            data={"description": "补充说明"},
            reason="补充",
            expected_version=1,
        )
        revision = project_services.update_project(
            user=org.admin,
            project=county,
            data={"target": Decimal("6")},
            reason="目标调整",
            expected_version=county.version,
        )
    assert revision.material
    assert titles_of(org.reviewer) == [
        "county项目 (县公司党支部) changed materially after you rated it (revision 2): look again"
    ]
    assert titles_of(org.reviewer, "zh-hans") == [
        "county项目（县公司党支部）在您评价后发生实质性修改（第 2 次修订）：请重新评价"
    ]
    assert hearing(kinds.PROJECT_NEEDS_REVIEW) == {"t-reviewer"}
    assert Notice.objects.get().url == f"/projects/rounds/{rating_round.pk}/rate/{county.pk}/"

    # A second material revision before they looked again: they hear of it too, once.
    with django_capture_on_commit_callbacks(execute=True):
        project_services.update_project(
            user=org.admin,
            project=county,
            data={"indicator_name": "停电时户数"},
            reason="指标调整",
            expected_version=county.version,
        )
    assert len(titles_of(org.reviewer)) == 2
    assert Notification.objects.count() == 2


# --- 2. the tracking list published, the outstanding projects confirmed ------------------------


@pytest.fixture
def closed_round(org):
    """Six projects in the county (branches B-1..B-6) rated by one reviewer, the round closed:
    the tracking list takes the top 3 (B-1..B-3), the outstanding share of it is 1."""
    rating_round = RatingRoundFactory(year=2020, status=RatingRound.Status.OPEN)
    home = UnitFactory(parent=org.company, code="C-HQ")
    rater = UserFactory(username="t-rater", role=Role.REVIEWER, unit=home, department=org.department)
    projects = []
    for index, score in enumerate((90, 80, 70, 60, 50, 40), start=1):
        project = BranchProjectFactory(
            branch=BranchFactory(unit=org.county if index % 2 else org.station, code=f"B-{index}"),
            title=f"项目{index}",
        )
        AssignmentFactory(round=rating_round, project=project, department=org.department)
        RatingFactory(round=rating_round, project=project, rater=rater, score=Decimal(score))
        projects.append(project)
    project_services.close_round(rating_round=rating_round, user=org.admin)
    rating_round.refresh_from_db()
    return rating_round, projects


@pytest.mark.django_db
def test_a_published_list_reaches_administrators_over_its_branches_and_their_secretaries(
    org, closed_round, django_capture_on_commit_callbacks
):
    rating_round, projects = closed_round
    listed_secretary = UserFactory(
        username="t-sec-b1", role=Role.SECRETARY, unit=org.county, branch=projects[0].branch
    )
    UserFactory(username="t-sec-b6", role=Role.SECRETARY, unit=org.station, branch=projects[5].branch)
    UserFactory(username="t-city-admin", role=Role.ADMIN, unit=org.city)
    MailLanguage.objects.create(user=listed_secretary, language="en")
    User.objects.filter(pk=listed_secretary.pk).update(email="b1@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        tracking_list = project_services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    assert tracking_list.size == 3

    # The company's and the county's administrators (a listed branch is theirs); not the city's
    # (none of its branches is listed), nor the secretary of a branch off the list, nor staff.
    assert hearing(kinds.TRACKING_LIST_PUBLISHED) == {"t-admin", "t-unitadmin", "t-sec-b1"}
    assert titles_of(org.unit_admin) == ["Tracking list of 2020年度项目评价 published: 3 projects"]
    assert titles_of(listed_secretary, "zh-hans") == ["2020年度项目评价跟踪实施名单已发布：共 3 个项目"]
    by_user = {
        n.recipient.username: n.notice.url for n in Notification.objects.select_related("notice", "recipient")
    }
    assert by_user["t-unitadmin"] == f"/projects/lists/{tracking_list.pk}/"
    assert by_user["t-sec-b1"] == f"/projects/{projects[0].pk}/"  # the list page is the office's
    assert [m.subject for m in mail.outbox] == [
        "[branchtrack] Tracking list of 2020年度项目评价 published: 3 projects"
    ]

    with django_capture_on_commit_callbacks(execute=True):
        project_services.confirm_outstanding(
            rating_round=rating_round, user=org.admin, project_ids=[projects[1].pk]
        )
    assert hearing(kinds.OUTSTANDING_LIST_CONFIRMED) == {"t-admin", "t-unitadmin"}  # B-2 has no secretary
    assert titles_of(org.admin)[-1] == "Outstanding projects of 2020年度项目评价 confirmed: 1 projects"
    outstanding_notice = Notice.objects.get(kind=kinds.OUTSTANDING_LIST_CONFIRMED)
    assert outstanding_notice.url == f"/projects/lists/{tracking_list.pk}/?outstanding=1"

    # Superseding the list (with a reason) is a new publication: told again, once.
    with django_capture_on_commit_callbacks(execute=True):
        project_services.publish_tracking_list(rating_round=rating_round, user=org.admin, reason="复核")
    assert TrackingList.objects.count() == 2
    assert (
        Notice.objects.filter(kind=kinds.TRACKING_LIST_PUBLISHED, dedup_key__contains=":branch:").count() == 2
    )


# --- 4. a pairing turned dormant ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_dormant_pairing_is_told_once_per_spell_to_its_units_admin_and_its_secretary(
    org, django_capture_on_commit_callbacks
):
    station_secretary = UserFactory(
        username="t-sec-stn", role=Role.SECRETARY, unit=org.station, branch=org.station_branch
    )
    pairing = PairingFactory(branch=org.station_branch, start_date=datetime.date(2020, 1, 1))
    committee = PairingFactory(branch=None, unit=org.city, start_date=datetime.date(2020, 1, 1))
    lively = PairingFactory(branch=org.city_branch, start_date=datetime.date(2020, 1, 1))
    ActivityFactory(pairing=lively, date=datetime.date(2020, 3, 20))
    PairingFactory(
        branch=org.county_branch, start_date=datetime.date(2020, 1, 1), status=Pairing.Status.ENDED
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind_dormant_pairings(today=datetime.date(2020, 3, 30)) == 0  # 89 days quiet
        assert reminders.remind_dormant_pairings(today=datetime.date(2020, 3, 31)) == 2  # 90 days
        assert reminders.remind_dormant_pairings(today=datetime.date(2020, 4, 1)) == 0  # same spell

    ours = pairing.external_org.name
    # The station has no administrator: the county's hears; the city has none: the company's.
    assert titles_of(org.unit_admin) == [
        f"Pairing 供电所党支部 with {ours} is dormant: no joint activity since 2020-01-01"
    ]
    assert titles_of(station_secretary, "zh-hans") == [
        f"供电所党支部与{ours}的共建已沉寂：自 2020-01-01 以来没有共建活动"
    ]
    assert titles_of(org.admin) == [
        f"Pairing 城区公司 with {committee.external_org.name} is dormant: no joint activity since 2020-01-01"
    ]
    assert hearing(kinds.PAIRING_DORMANT) == {"t-unitadmin", "t-sec-stn", "t-admin"}
    assert org.secretary.notifications.count() == 0  # the city branch's pairing is lively

    # An activity ends the spell; 90 quiet days later it is dormant again: a new notice.
    ActivityFactory(pairing=pairing, date=datetime.date(2020, 4, 10))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind_dormant_pairings(today=datetime.date(2020, 5, 1)) == 0
        reminders.remind_dormant_pairings(today=datetime.date(2020, 7, 9))
    assert titles_of(org.unit_admin)[-1].endswith("no joint activity since 2020-04-10")
    assert Notice.objects.filter(dedup_key__startswith=f"{kinds.PAIRING_DORMANT}:{pairing.pk}:").count() == 2


# --- 5. the weekly digest -----------------------------------------------------------------------

MONDAY = datetime.date(2020, 6, 8)  # the week reported: 2020-06-01 to 2020-06-07


def week_of_work(org, campaign):
    """Last week in the county's subtree and elsewhere, with something just outside the week."""
    VisitFactory(campaign=campaign, branch=org.station_branch, visited_on=datetime.date(2020, 6, 3))
    VisitFactory(campaign=campaign, branch=org.county_branch, visited_on=datetime.date(2020, 6, 7))
    VisitFactory(campaign=campaign, branch=org.county_branch, visited_on=datetime.date(2020, 5, 31))
    VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 6, 2))
    for branch, status in (
        (org.county_branch, PlannedVisit.Status.DONE),
        (org.station_branch, PlannedVisit.Status.MISSED),
        (org.city_branch, PlannedVisit.Status.CANCELLED),
    ):
        PlannedVisit.objects.create(
            campaign=campaign,
            branch=branch,
            planned_on=datetime.date(2020, 6, 4),
            status=status,
            cancel_reason="改期" if status == PlannedVisit.Status.CANCELLED else "",
            created_by=org.admin,
        )
    in_week = timezone.make_aware(datetime.datetime(2020, 6, 3, 10))
    earlier = datetime.date(2020, 5, 20)  # the problems' visits: before the week

    def problem(branch, **fields):
        return ProblemFactory(
            visit=VisitFactory(campaign=campaign, branch=branch, visited_on=earlier), **fields
        )

    opened = problem(org.station_branch, due_on=MONDAY)
    overdue = problem(org.county_branch, due_on=datetime.date(2020, 6, 1))
    closed = problem(org.county_branch)
    Finding.objects.filter(pk__in=[opened.pk, overdue.pk, closed.pk]).update(created_at=in_week)
    Finding.objects.filter(pk=closed.pk).update(
        status=Finding.Status.RESOLVED,
        resolution="已整改",
        evidence="会议纪要",
        resolved_on=datetime.date(2020, 6, 5),
        created_at=timezone.make_aware(datetime.datetime(2020, 5, 20, 10)),
    )
    for unit, day, visited in (
        (org.county, datetime.date(2020, 5, 31), 1),
        (org.county, datetime.date(2020, 6, 7), 2),
    ):
        CoverageSnapshot.objects.create(
            campaign=campaign, unit=unit, day=day, active_branches=2, visited_branches=visited
        )
    CoverageSnapshot.objects.create(
        campaign=campaign,
        unit=org.company,
        day=datetime.date(2020, 6, 6),
        active_branches=3,
        visited_branches=3,
    )


@pytest.mark.django_db
def test_each_unit_administrator_gets_last_weeks_digest_of_their_subtree_once(
    org, campaign, django_capture_on_commit_callbacks
):
    week_of_work(org, campaign)
    User.objects.filter(pk=org.unit_admin.pk).update(email="county-admin@example.com")
    MailLanguage.objects.create(user=org.unit_admin, language="en")
    User.objects.filter(pk=org.admin.pk).update(email="company-admin@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        assert digest.send_weekly_digests(today=MONDAY) == 2  # the company's and the county's
        # A catch-up run on Tuesday reports the same week: nothing twice.
        assert digest.send_weekly_digests(today=MONDAY + datetime.timedelta(days=1)) == 0

    name = campaign.name
    assert titles_of(org.unit_admin) == [
        f"Week of 2020-06-01 in 县公司: coverage {name} 100.0% (+50.0); visits 2 done, "
        "1 of 2 planned; problems 2 opened, 1 closed, 1 overdue"
    ]
    # The company's: the city's visit too; its snapshot is from Saturday, none a week before.
    assert titles_of(org.admin, "zh-hans") == [
        f"测试公司 2020-06-01 当周：覆盖率 {name} 100.0%；走访完成 3 次，"
        "计划 2 次中完成 1 次；问题新增 2 个、销号 1 个、逾期 1 个"
    ]
    assert hearing(kinds.WEEKLY_DIGEST) == {"t-admin", "t-unitadmin"}
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["county-admin@example.com"].startswith("[branchtrack] Week of 2020-06-01 in 县公司")
    assert subjects["company-admin@example.com"].startswith("[branchtrack] 测试公司 2020-06-01 当周")
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_digest_costs_the_same_queries_for_twice_the_units(org, campaign):
    def queries_for_digest(today):
        with CaptureQueriesContext(connection) as queries:
            digest.send_weekly_digests(today=today)
        return len(queries)

    week_of_work(org, campaign)
    few = queries_for_digest(MONDAY)
    for number in range(4):
        unit = UnitFactory(parent=org.county, code=f"C-CTY-{number}", name=f"新单位{number}")
        UserFactory(username=f"t-admin-{number}", role=Role.ADMIN, unit=unit)
        VisitFactory(
            campaign=campaign, branch=BranchFactory(unit=unit), visited_on=datetime.date(2020, 6, 10)
        )
    assert queries_for_digest(MONDAY + datetime.timedelta(days=7)) == few
    assert Notice.objects.filter(kind=kinds.WEEKLY_DIGEST).count() == 2 + 6


@pytest.mark.django_db
def test_a_units_group_hears_a_published_list_but_no_digest_and_no_personal_reminder(
    org, campaign, closed_round, receiver, django_capture_on_commit_callbacks
):
    from notifications import services

    rating_round, _projects = closed_round
    services.add_channel(user=org.admin, unit=org.company, kind="wecom", name="公司群", target=receiver.url)
    week_of_work(org, campaign)
    with django_capture_on_commit_callbacks(execute=True):
        project_services.publish_tracking_list(rating_round=rating_round, user=org.admin)
        digest.send_weekly_digests(today=MONDAY)
    assert Notice.objects.filter(kind=kinds.WEEKLY_DIGEST).count() == 2
    (request,) = receiver.requests
    assert "2020年度项目评价跟踪实施名单已发布：共 3 个项目" in request["body"].decode()
