"""Planning a campaign's visits: bulk assignment rules, conflicts, status changes, the feed token."""

import datetime

import pytest
from django.utils import translation

from branchtrack.web.concurrency import StaleEditError
from org.models import Role
from supervision import selectors, services
from supervision.models import CampaignBlockedDay, PlannedVisit
from supervision.services import PlanRow, PlanRowsError
from tests.factories import BranchFactory, UserFactory

TODAY = datetime.date(2020, 5, 4)  # a Monday inside the 2020 test campaign
DAY = datetime.date(2020, 5, 12)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def assign(user, campaign, *rows, today=TODAY):
    return services.assign_visits(user=user, campaign=campaign, rows=list(rows), today=today)


def row(branch, *visitors, day=DAY, week=False):
    return PlanRow(
        branch_id=branch.pk, visitor_ids=tuple(v.pk for v in visitors), planned_on=day, whole_week=week
    )


def test_an_administrator_plans_several_branches_at_once_with_history(org, campaign):
    plans = assign(
        org.admin,
        campaign,
        row(org.city_branch, org.staff),
        row(org.county_branch, org.staff, org.unit_staff),
    )
    assert PlannedVisit.objects.count() == 2
    county = PlannedVisit.objects.get(branch=org.county_branch)
    assert set(county.visitors.all()) == {org.staff, org.unit_staff}
    assert county.status == PlannedVisit.Status.PLANNED and county.due_on == DAY
    assert county.history.count() == 1 and county.visitor_links.first().history.count() == 1
    assert {p.pk for p in plans} == set(PlannedVisit.objects.values_list("pk", flat=True))


def test_a_week_is_due_by_its_sunday(org, campaign):
    assign(org.admin, campaign, row(org.city_branch, org.staff, day=datetime.date(2020, 5, 13), week=True))
    assert PlannedVisit.objects.get().due_on == datetime.date(2020, 5, 17)


def test_every_wrong_row_is_told_and_nothing_is_saved(org, campaign):
    reviewer_branch = BranchFactory(unit=org.city)
    CampaignBlockedDay.objects.create(campaign=campaign, day=DAY, reason="劳动节调休")
    with pytest.raises(PlanRowsError) as caught:
        assign(
            org.unit_admin,  # the county administrator
            campaign,
            row(org.county_branch, org.unit_staff, day=datetime.date(2021, 1, 5)),  # after the campaign
            row(org.city_branch, org.unit_staff),  # a branch outside the planner's scope
            row(org.station_branch, org.reviewer),  # a visitor outside the planner's scope
            row(reviewer_branch, org.unit_staff),  # foreign again
        )
    errors = caught.value.rows
    assert "inside the campaign" in errors[org.county_branch.pk][0]
    assert "not an active branch of the campaign in your scope" in errors[org.city_branch.pk][0]
    assert "not a user in your scope" in errors[org.station_branch.pk][0]
    assert PlannedVisit.objects.count() == 0
    with pytest.raises(PlanRowsError) as caught:
        assign(
            org.admin,
            campaign,
            row(org.station_branch, org.unit_admin),
            row(org.county_branch, org.secretary),
        )
    assert "blocked day" in caught.value.rows[org.station_branch.pk][0]
    assert "not party-affairs staff" in caught.value.rows[org.county_branch.pk][0]
    with pytest.raises(PlanRowsError) as caught:
        city_staff = UserFactory(role=Role.STAFF, unit=org.city)
        assign(
            org.admin,
            campaign,
            row(org.county_branch, city_staff),
            row(org.city_branch, org.staff, day=TODAY - datetime.timedelta(days=1)),
        )
    assert "outside" in caught.value.rows[org.county_branch.pk][0]
    assert "already passed" in caught.value.rows[org.city_branch.pk][0]
    assert PlannedVisit.objects.count() == 0


def test_only_administrators_plan(org, campaign):
    with pytest.raises(PlanRowsError):
        assign(org.staff, campaign, row(org.city_branch, org.staff))


def test_the_second_planner_of_a_branch_is_told_who_planned_it(org, campaign):
    assign(org.admin, campaign, row(org.county_branch, org.staff))
    with pytest.raises(PlanRowsError) as caught:
        assign(
            org.unit_admin,
            campaign,
            row(org.county_branch, org.unit_staff),
            row(org.station_branch, org.unit_staff),
        )
    message = caught.value.rows[org.county_branch.pk][0]
    assert "Already planned for 2020-05-12" in message and org.admin.get_full_name() in message
    assert PlannedVisit.objects.count() == 1


def test_the_index_refuses_a_second_open_plan_even_past_the_check(org, campaign, monkeypatch):
    assign(org.admin, campaign, row(org.county_branch, org.staff))
    # As if the other planner's insert committed between this planner's check and insert.
    monkeypatch.setattr(services, "_check_plan_rows", lambda **kwargs: {})
    with pytest.raises(PlanRowsError) as caught:
        assign(org.unit_admin, campaign, row(org.county_branch, org.unit_staff))
    assert "meanwhile" in caught.value.general[0]
    assert PlannedVisit.objects.count() == 1


def _complete_visit(campaign, branch, user, visitors="", visited_on=DAY):
    return services.create_visit(
        user=user,
        campaign=campaign,
        branch=branch,
        visited_on=visited_on,
        visitors=visitors,
        scores=_all_scores(campaign),
        complete=True,
    )


def _all_scores(campaign):
    from supervision.models import ChecklistItem

    return {
        item.pk: services.ScoreInput(score=8)
        for item in ChecklistItem.objects.filter(area__template=campaign.template)
    }


def test_a_completed_visit_by_a_visitor_marks_the_plan_done(org, campaign):
    assign(org.admin, campaign, row(org.county_branch, org.unit_staff))
    draft = services.create_visit(
        user=org.unit_staff,
        campaign=campaign,
        branch=org.county_branch,
        visited_on=DAY,
        visitors="",
        scores={},
        complete=False,
    )
    plan = PlannedVisit.objects.get()
    assert plan.status == PlannedVisit.Status.PLANNED
    services.update_visit(
        user=org.unit_staff,
        visit=draft,
        expected_version=draft.version,
        visited_on=DAY,
        visitors="",
        scores=_all_scores(campaign),
        complete=True,
    )
    plan.refresh_from_db()
    assert plan.status == PlannedVisit.Status.DONE and plan.done_visit == draft


def test_a_visit_naming_a_visitor_counts_and_one_by_somebody_else_does_not(org, campaign):
    org.unit_staff.first_name, org.unit_staff.last_name = "芳", "王"
    org.unit_staff.save()
    assign(
        org.admin, campaign, row(org.county_branch, org.unit_staff), row(org.station_branch, org.unit_staff)
    )
    _complete_visit(campaign, org.station_branch, org.staff, visitors="李强")
    assert PlannedVisit.objects.get(branch=org.station_branch).status == PlannedVisit.Status.PLANNED
    _complete_visit(
        campaign, org.county_branch, org.staff, visitors=org.unit_staff.get_full_name() + "、李强"
    )
    assert PlannedVisit.objects.get(branch=org.county_branch).status == PlannedVisit.Status.DONE


def test_missed_after_its_day_idempotently_and_done_if_the_visit_comes_late(org, campaign):
    assign(
        org.admin,
        campaign,
        row(org.county_branch, org.unit_staff),
        row(org.station_branch, org.unit_staff, day=datetime.date(2020, 6, 1)),
    )
    assert services.mark_missed_plans(today=DAY) == 0  # due that day: not missed yet
    assert services.mark_missed_plans(today=DAY + datetime.timedelta(days=1)) == 1
    assert services.mark_missed_plans(today=DAY + datetime.timedelta(days=1)) == 0
    plan = PlannedVisit.objects.get(branch=org.county_branch)
    assert plan.status == PlannedVisit.Status.MISSED and plan.history.count() == 2
    _complete_visit(campaign, org.county_branch, org.unit_staff, visited_on=DAY + datetime.timedelta(days=3))
    plan.refresh_from_db()
    assert plan.status == PlannedVisit.Status.DONE


def test_cancel_needs_a_reason_and_the_version_the_user_saw(org, campaign):
    (plan,) = assign(org.admin, campaign, row(org.county_branch, org.unit_staff))
    plan.refresh_from_db()
    with pytest.raises(Exception, match="Say why"):
        services.cancel_plan(user=org.admin, plan=plan, expected_version=plan.version, reason=" ")
    with pytest.raises(StaleEditError):
        services.cancel_plan(user=org.admin, plan=plan, expected_version=plan.version + 1, reason="支部合并")
    services.cancel_plan(user=org.admin, plan=plan, expected_version=plan.version, reason="支部合并")
    plan.refresh_from_db()
    assert plan.status == PlannedVisit.Status.CANCELLED and plan.cancel_reason == "支部合并"
    # Cancelled, the branch can be planned again.
    assign(org.admin, campaign, row(org.county_branch, org.staff))
    assert PlannedVisit.objects.filter(status=PlannedVisit.Status.PLANNED).count() == 1


def test_reschedule_a_missed_plan_with_other_visitors(org, campaign):
    (plan,) = assign(org.admin, campaign, row(org.county_branch, org.unit_staff))
    services.mark_missed_plans(today=DAY + datetime.timedelta(days=1))
    plan.refresh_from_db()
    services.update_plan(
        user=org.admin,
        plan=plan,
        expected_version=plan.version,
        visitor_ids=[org.staff.pk],
        planned_on=datetime.date(2020, 6, 8),
        whole_week=True,
        today=DAY + datetime.timedelta(days=1),
    )
    plan.refresh_from_db()
    assert plan.status == PlannedVisit.Status.PLANNED and plan.due_on == datetime.date(2020, 6, 14)
    assert list(plan.visitors.all()) == [org.staff]


def test_the_calendar_feed_token_is_stored_hashed_and_can_be_reset_or_revoked(org):
    token = services.reset_calendar_feed(user=org.staff)
    assert services.calendar_feed_owner(token=token) == org.staff
    assert token not in org.staff.calendar_feed.token_hash
    new = services.reset_calendar_feed(user=org.staff)
    assert services.calendar_feed_owner(token=token) is None
    assert services.calendar_feed_owner(token=new) == org.staff
    services.revoke_calendar_feed(user=org.staff)
    assert services.calendar_feed_owner(token=new) is None
    assert services.calendar_feed_owner(token="x" * 500) is None


def test_automatic_plan_preview_then_save_then_nothing_left(org, campaign):
    extra = [BranchFactory(unit=org.station) for _ in range(4)]
    city_staff = UserFactory(role=Role.STAFF, unit=org.city)
    CampaignBlockedDay.objects.create(campaign=campaign, day=TODAY, reason="调休")
    preview = selectors.automatic_plan(user=org.admin, campaign=campaign, unit=org.company, today=TODAY)
    assert len(preview.plan.proposals) == 3 + len(extra)
    by_branch = {p.branch_id: p for p in preview.plan.proposals}
    assert by_branch[org.city_branch.pk].visitor_id in (org.staff.pk, city_staff.pk)
    assert all(by_branch[b.pk].visitor_id in (org.staff.pk, org.unit_staff.pk) for b in extra)
    assert all(p.day > TODAY for p in preview.plan.proposals)  # today is blocked
    again = selectors.automatic_plan(user=org.admin, campaign=campaign, unit=org.company, today=TODAY)
    assert again.fingerprint == preview.fingerprint

    saved = services.save_automatic_plan(
        user=org.admin, campaign=campaign, unit=org.company, fingerprint=preview.fingerprint, today=TODAY
    )
    assert len(saved) == 7
    after = selectors.automatic_plan(user=org.admin, campaign=campaign, unit=org.company, today=TODAY)
    assert after.plan.proposals == []
    with pytest.raises(PlanRowsError):  # the same form sent twice saves nothing twice
        services.save_automatic_plan(
            user=org.admin, campaign=campaign, unit=org.company, fingerprint=preview.fingerprint, today=TODAY
        )
    assert PlannedVisit.objects.count() == 7


def test_automatic_plan_refuses_a_stale_preview_and_skips_visited_branches(org, campaign):
    preview = selectors.automatic_plan(user=org.unit_admin, campaign=campaign, unit=org.county, today=TODAY)
    assert {p.branch_id for p in preview.plan.proposals} == {org.county_branch.pk, org.station_branch.pk}
    _complete_visit(campaign, org.county_branch, org.staff)
    with pytest.raises(PlanRowsError) as caught:
        services.save_automatic_plan(
            user=org.unit_admin,
            campaign=campaign,
            unit=org.county,
            fingerprint=preview.fingerprint,
            today=TODAY,
        )
    assert "changed since your preview" in caught.value.general[0]
    fresh = selectors.automatic_plan(user=org.unit_admin, campaign=campaign, unit=org.county, today=TODAY)
    assert [p.branch_id for p in fresh.plan.proposals] == [org.station_branch.pk]


def test_row_rules_for_empty_and_repeated_input(org, campaign):
    with pytest.raises(PlanRowsError) as caught:
        assign(org.admin, campaign)
    assert "at least one branch" in caught.value.general[0]
    with pytest.raises(PlanRowsError) as caught:
        assign(
            org.admin, campaign, row(org.city_branch, org.staff), row(org.city_branch), row(org.county_branch)
        )
    assert "listed twice" in " ".join(caught.value.rows[org.city_branch.pk])
    assert "at least one visitor" in " ".join(caught.value.rows[org.city_branch.pk])
    assert "at least one visitor" in caught.value.rows[org.county_branch.pk][0]
    assert PlannedVisit.objects.count() == 0


def test_only_open_plans_change_and_a_rescheduled_plan_meets_the_open_one(org, campaign):
    (done,) = assign(org.admin, campaign, row(org.county_branch, org.unit_staff))
    _complete_visit(campaign, org.county_branch, org.unit_staff)
    done.refresh_from_db()
    assert services.mark_plans_done(visit=done.done_visit) == 0  # nothing left to carry out
    with pytest.raises(Exception, match="Only a planned or missed visit can be changed"):
        services.update_plan(
            user=org.admin,
            plan=done,
            expected_version=done.version,
            visitor_ids=[org.staff.pk],
            planned_on=DAY,
            today=TODAY,
        )
    with pytest.raises(Exception, match="Only a planned or missed visit can be cancelled"):
        services.cancel_plan(user=org.admin, plan=done, expected_version=done.version, reason="x")
    (missed,) = assign(org.admin, campaign, row(org.station_branch, org.unit_staff))
    services.mark_missed_plans(today=DAY + datetime.timedelta(days=1))
    assign(
        org.admin,
        campaign,
        row(org.station_branch, org.staff, day=DAY + datetime.timedelta(days=7)),
        today=DAY + datetime.timedelta(days=1),
    )
    missed.refresh_from_db()
    # Rescheduling the missed plan while a new one is open: told, not a second open plan.
    with pytest.raises(PlanRowsError) as caught:
        services.update_plan(
            user=org.admin,
            plan=missed,
            expected_version=missed.version,
            visitor_ids=[org.unit_staff.pk],
            planned_on=DAY + datetime.timedelta(days=8),
            today=DAY + datetime.timedelta(days=1),
        )
    assert "Already planned" in caught.value.rows[org.station_branch.pk][0]


def test_a_draft_visit_carries_out_no_plan_and_an_empty_automatic_plan_is_not_saved(org, campaign):
    assign(org.admin, campaign, row(org.county_branch, org.unit_staff))
    draft = services.create_visit(
        user=org.unit_staff,
        campaign=campaign,
        branch=org.county_branch,
        visited_on=DAY,
        visitors="",
        scores={},
        complete=False,
    )
    assert services.mark_plans_done(visit=draft) == 0
    nothing = selectors.automatic_plan(
        user=org.admin, campaign=campaign, unit=org.county, visitor_ids=[], today=TODAY
    )
    assert nothing.plan.proposals == []
    with pytest.raises(PlanRowsError) as caught:
        services.save_automatic_plan(
            user=org.admin,
            campaign=campaign,
            unit=org.county,
            visitor_ids=[],
            fingerprint=nothing.fingerprint,
            today=TODAY,
        )
    assert "nothing to plan" in caught.value.general[0]


def test_the_index_refuses_a_rescheduled_plan_past_the_check(org, campaign, monkeypatch):
    (missed,) = assign(org.admin, campaign, row(org.county_branch, org.unit_staff))
    services.mark_missed_plans(today=DAY + datetime.timedelta(days=1))
    assign(
        org.admin,
        campaign,
        row(org.county_branch, org.staff, day=DAY + datetime.timedelta(days=7)),
        today=DAY + datetime.timedelta(days=1),
    )
    missed.refresh_from_db()
    monkeypatch.setattr(services, "_check_plan_rows", lambda **kwargs: {})
    with pytest.raises(PlanRowsError) as caught:
        services.update_plan(
            user=org.admin,
            plan=missed,
            expected_version=missed.version,
            visitor_ids=[org.unit_staff.pk],
            planned_on=DAY + datetime.timedelta(days=8),
            today=DAY + datetime.timedelta(days=1),
        )
    assert "meanwhile" in caught.value.rows[org.county_branch.pk][0]
    assert PlannedVisit.objects.filter(status=PlannedVisit.Status.PLANNED).count() == 1
