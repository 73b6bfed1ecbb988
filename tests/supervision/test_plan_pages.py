"""The visit plan's pages: assigning in bulk, the automatic plan, my visits, calendar, feed, progress, forecast."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from org.models import Role
from supervision import services
from supervision.models import PlannedVisit
from supervision.services import PlanRow
from tests.factories import BranchFactory, UserFactory
from tests.supervision.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def current(org):
    """A campaign running now: started four weeks ago, ends in twelve."""
    today = timezone.localdate()
    return CampaignFactory(
        scope=[org.company],
        year=today.year,
        starts_on=today - datetime.timedelta(weeks=4),
        ends_on=today + datetime.timedelta(weeks=12),
    )


def next_weekday(days=7):
    day = timezone.localdate() + datetime.timedelta(days=days)
    while day.weekday() > 4:
        day += datetime.timedelta(days=1)
    return day


def plan(org, campaign, branch, *visitors, day=None):
    (made,) = services.assign_visits(
        user=org.admin,
        campaign=campaign,
        rows=[
            PlanRow(
                branch_id=branch.pk,
                visitor_ids=tuple(v.pk for v in visitors),
                planned_on=day or next_weekday(),
            )
        ],
    )
    return made


def test_bulk_assign_from_the_unvisited_list(org, current, login):
    client = login(org.unit_admin)
    page = client.get(f"/supervision/campaigns/{current.pk}/unvisited/")
    assert page.status_code == 200 and b'name="branch"' in page.content
    ids = [org.county_branch.pk, org.station_branch.pk]
    form = client.get(f"/supervision/campaigns/{current.pk}/plan/assign/", {"branch": ids})
    assert form.status_code == 200 and org.county_branch.name in form.content.decode()
    day = next_weekday()
    response = client.post(
        f"/supervision/campaigns/{current.pk}/plan/assign/",
        {"branch": ids, "visitors": [org.unit_staff.pk], "planned_on": day.isoformat()},
    )
    assert response.status_code == 302
    assert set(PlannedVisit.objects.values_list("branch_id", flat=True)) == set(ids)


def test_bulk_assign_shows_each_wrong_row_and_saves_nothing(org, current, login):
    client = login(org.unit_admin)
    response = client.post(
        f"/supervision/campaigns/{current.pk}/plan/assign/",
        {
            "branch": [org.county_branch.pk, org.city_branch.pk],
            "visitors": [org.unit_staff.pk],
            "planned_on": next_weekday().isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count('data-testid="row-error"') == 1 and f"#{org.city_branch.pk}" in body
    assert PlannedVisit.objects.count() == 0
    junk = client.post(f"/supervision/campaigns/{current.pk}/plan/assign/", {"branch": ["²"]})
    assert junk.status_code == 400


def test_the_branch_list_sends_ticked_branches_to_the_current_campaign(org, current, login):
    client = login(org.admin)
    assert b'name="branch"' in client.get("/org/branches/").content
    response = client.get("/supervision/plan/assign/", {"branch": [org.city_branch.pk]})
    assert (
        response.status_code == 302
        and f"/campaigns/{current.pk}/plan/assign/?branch=" in response["Location"]
    )


def test_automatic_plan_preview_and_save(org, current, login):
    for _ in range(5):
        BranchFactory(unit=org.station)
    client = login(org.admin)
    url = f"/supervision/campaigns/{current.pk}/plan/automatic/"
    assert client.get(url).status_code == 200
    preview = client.get(url, {"unit": org.company.pk})
    assert preview.status_code == 200
    fingerprint = preview.context["proposal"].fingerprint
    assert len(preview.context["proposal"].plan.proposals) == 8
    saved = client.post(url, {"unit": org.company.pk, "fingerprint": fingerprint})
    assert saved.status_code == 302 and PlannedVisit.objects.count() == 8
    again = client.post(url, {"unit": org.company.pk, "fingerprint": fingerprint})
    assert again.status_code == 400 and PlannedVisit.objects.count() == 8


def test_my_visits_home_card_json_and_log_this_visit(org, current, login):
    overdue = plan(org, current, org.county_branch, org.unit_staff)
    PlannedVisit.objects.filter(pk=overdue.pk).update(
        planned_on=timezone.localdate() - datetime.timedelta(days=3),
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    later = plan(org, current, org.station_branch, org.unit_staff, org.staff, day=next_weekday(14))
    client = login(org.unit_staff)
    page = client.get("/supervision/plan/mine/")
    assert page.status_code == 200
    assert [p.pk for p in page.context["mine"].overdue] == [overdue.pk]
    assert [p.pk for p in page.context["mine"].later] == [later.pk]
    home = client.get("/")
    assert "overdue 1" in home.content.decode() or "逾期 1" in home.content.decode()
    data = client.get("/supervision/plan/mine.json").json()
    assert {(p["id"], p["section"]) for p in data["plans"]} == {(overdue.pk, "overdue"), (later.pk, "later")}
    form = client.get(
        f"/supervision/campaigns/{current.pk}/visits/new/",
        {"branch": org.station_branch.pk, "plan": later.pk},
    )
    assert form.status_code == 200
    assert form.context["form"].initial["visitors"] == later.visitor_names
    assert form.context["form"].initial["visited_on"] == timezone.localdate()


def test_calendar_month_and_week_per_unit_and_person(org, current, login):
    made = plan(org, current, org.county_branch, org.unit_staff)
    client = login(org.admin)
    url = f"/supervision/campaigns/{current.pk}/plan/calendar/"
    month = client.get(url, {"day": made.planned_on.isoformat()})
    assert month.status_code == 200 and org.county_branch.name in month.content.decode()
    week = client.get(url, {"view": "week", "day": made.planned_on.isoformat(), "visitor": org.unit_staff.pk})
    assert org.county_branch.name in week.content.decode()
    other = client.get(url, {"view": "week", "day": made.planned_on.isoformat(), "visitor": org.staff.pk})
    assert org.county_branch.name not in other.content.decode()
    city = client.get(url, {"day": made.planned_on.isoformat(), "unit": org.city.pk})
    assert org.county_branch.name not in city.content.decode()
    assert client.get(url, {"day": "2020-13-01"}).status_code == 400
    assert client.get(url, {"view": "year"}).status_code == 400
    # A county user choosing a city unit: a filter outside the scope.
    assert login(org.unit_staff).get(url, {"unit": org.city.pk}).status_code == 400


def test_the_calendar_feed_is_icalendar_at_a_secret_revocable_address(org, current, client):
    made = plan(org, current, org.county_branch, org.unit_staff)
    token = services.reset_calendar_feed(user=org.unit_staff)
    response = client.get(f"/supervision/plan/feed/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"plan-{made.pk}@branchtrack"]
    assert events[0].decoded("dtstart") == made.planned_on
    assert client.get("/supervision/plan/feed/not-a-token.ics").status_code == 404
    services.revoke_calendar_feed(user=org.unit_staff)
    assert client.get(f"/supervision/plan/feed/{token}.ics").status_code == 404


def test_making_and_revoking_the_feed_from_my_visits(org, current, login):
    client = login(org.staff)
    response = client.post("/supervision/plan/feed/", {"action": "reset"}, follow=True)
    url = response.context["feed_url"]
    assert "/supervision/plan/feed/" in url and url.endswith(".ics")
    assert client.get(url.split("testserver")[1]).status_code == 200
    client.post("/supervision/plan/feed/", {"action": "revoke"})
    assert client.get(url.split("testserver")[1]).status_code == 404


def test_plan_detail_reschedule_and_cancel(org, current, login):
    made = plan(org, current, org.county_branch, org.unit_staff)
    client = login(org.unit_admin)
    url = f"/supervision/plan/{made.pk}/"
    assert client.get(url).status_code == 200
    new_day = next_weekday(21)
    response = client.post(
        url,
        {
            "action": "edit",
            "visitors": [org.unit_staff.pk],
            "planned_on": new_day.isoformat(),
            "version": made.version,
        },
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.planned_on == new_day
    stale = client.post(url, {"action": "cancel", "reason": "合并", "version": 1})
    assert stale.status_code == 400
    client.post(url, {"action": "cancel", "reason": "合并", "version": made.version})
    made.refresh_from_db()
    assert made.status == PlannedVisit.Status.CANCELLED
    # Staff see the plan, but only planners change it.
    assert (
        login(org.unit_staff)
        .post(url, {"action": "cancel", "reason": "x", "version": made.version})
        .status_code
        == 404
    )


def test_expected_vs_done_per_unit_and_visitor_with_exports(org, current, login):
    plan(org, current, org.county_branch, org.unit_staff)
    made = plan(org, current, org.station_branch, org.unit_staff)
    PlannedVisit.objects.filter(pk=made.pk).update(status=PlannedVisit.Status.MISSED)
    client = login(org.admin)
    units = client.get(f"/supervision/campaigns/{current.pk}/plan/units/")
    rows = {row.code: row for row in units.context["page"]}
    assert (rows["C"].planned, rows["C"].missed, rows["C"].open) == (2, 1, 1)
    assert (rows["C-CTY-S"].planned, rows["C-CITY"].planned) == (1, 0)
    visitors = client.get(f"/supervision/campaigns/{current.pk}/plan/visitors/")
    by_user = {row.pk: row for row in visitors.context["page"]}
    assert (by_user[org.unit_staff.pk].planned, by_user[org.unit_staff.pk].missed) == (2, 1)
    export = client.get(f"/supervision/campaigns/{current.pk}/plan/units/", {"export": "csv"})
    assert export.status_code == 200
    assert (
        client.get(f"/supervision/campaigns/{current.pk}/plan/visitors/", {"export": "xlsx"}).status_code
        == 200
    )
    assert client.get(f"/supervision/campaigns/{current.pk}/plan/", {"export": "csv"}).status_code == 200


def test_forecast_page_flags_units_at_risk_and_sorts(org, current, login):
    plan(org, current, org.county_branch, org.unit_staff)
    client = login(org.admin)
    url = f"/supervision/campaigns/{current.pk}/forecast/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["headline"].planned == 1 and page.context["headline"].active == 3
    risky = client.get(url, {"at_risk": "1", "sort": "risk"})
    assert all(row.forecast.at_risk for row in risky.context["page"])
    assert client.get(url, {"sort": "nonsense"}).status_code == 400
    assert client.get(url, {"export": "csv"}).status_code == 200
    assert client.get(url, {"as_of": "junk"}).status_code == 400


def test_a_non_staff_user_cannot_be_planned_from_the_page(org, current, login):
    secretary_like = UserFactory(role=Role.REVIEWER, unit=org.county, department=org.department)
    response = login(org.admin).post(
        f"/supervision/campaigns/{current.pk}/plan/assign/",
        {
            "branch": [org.county_branch.pk],
            "visitors": [secretary_like.pk],
            "planned_on": next_weekday().isoformat(),
        },
    )
    assert response.status_code == 400 and PlannedVisit.objects.count() == 0


def test_the_dashboard_draws_both_projections_and_past_campaigns_as_they_stood(org, current, login):
    from supervision.rollup import rollup_coverage

    plan(org, current, org.county_branch, org.unit_staff)
    rollup_coverage(campaign=current)
    client = login(org.admin)
    chart = client.get(f"/supervision/campaigns/{current.pk}/").context["body"]
    assert "coverage-chart-data" in chart and "forecast_plan" in chart and 'data-testid="forecast"' in chart
    past = CampaignFactory(scope=[org.company])  # 2020
    rollup_coverage(campaign=past, day=datetime.date(2020, 6, 1))
    body = client.get(f"/supervision/campaigns/{past.pk}/", {"as_of": "2020-06-01"}).context["body"]
    assert "2020-06-01" in body and "2020-12-31" in body


def test_automatic_plan_adjusted_by_leaving_branches_out(org, current, login):
    extra = [BranchFactory(unit=org.station) for _ in range(3)]
    client = login(org.admin)
    url = f"/supervision/campaigns/{current.pk}/plan/automatic/"
    preview = client.get(url, {"unit": org.company.pk, "skip": [extra[0].pk, org.city_branch.pk]})
    proposed = {p.branch_id for p in preview.context["proposal"].plan.proposals}
    assert extra[0].pk not in proposed and org.city_branch.pk not in proposed and len(proposed) == 4
    assert {b.pk for b in preview.context["skipped"]} == {extra[0].pk, org.city_branch.pk}
    fingerprint = preview.context["proposal"].fingerprint
    # Saving without the same left-out rows is a different plan: refused.
    assert client.post(url, {"unit": org.company.pk, "fingerprint": fingerprint}).status_code == 400
    saved = client.post(
        url, {"unit": org.company.pk, "skip": [extra[0].pk, org.city_branch.pk], "fingerprint": fingerprint}
    )
    assert saved.status_code == 302
    assert set(PlannedVisit.objects.values_list("branch_id", flat=True)) == proposed
    assert client.get(url, {"unit": org.company.pk, "skip": ["²"]}).status_code == 400


def test_hostile_input_on_the_plan_pages(org, current, login):
    client = login(org.admin)
    too_many = client.post(
        f"/supervision/campaigns/{current.pk}/plan/assign/",
        {
            "branch": [str(n) for n in range(1, 600)],
            "visitors": [org.staff.pk],
            "planned_on": next_weekday().isoformat(),
        },
    )
    assert too_many.status_code == 400 and PlannedVisit.objects.count() == 0
    calendar = f"/supervision/campaigns/{current.pk}/plan/calendar/"
    for day in ("9999-12-31", "0001-01-01"):
        assert client.get(calendar, {"day": day}).status_code == 200
        assert client.get(calendar, {"day": day, "view": "week"}).status_code == 200
    assert (
        client.get(f"/supervision/campaigns/{current.pk}/forecast/", {"as_of": "9999-12-31"}).status_code
        == 200
    )
    assert client.get(f"/supervision/campaigns/{current.pk}/", {"as_of": "0001-01-01"}).status_code == 200
    assert client.get("/supervision/plan/feed/" + "x" * 300 + ".ics").status_code == 404
    assert (
        client.post(
            f"/supervision/plan/{plan(org, current, org.city_branch, org.staff).pk}/",
            {"action": "edit", "version": "²"},
        ).status_code
        == 400
    )
