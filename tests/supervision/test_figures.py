"""Numbers users compare: one overdue rule stated on the pages, the open count refreshed on resolve,
one rounding rule (half up) for coverage and scores."""

import datetime
import re
from decimal import Decimal

import pytest

from assessment.models import ExportJob
from assessment.services import run_export
from branchtrack.celery import app as celery_app
from branchtrack.web.rounding import fraction_percent, half_up, percent
from supervision.models import CoverageSnapshot, Finding
from supervision.rollup import rollup_coverage
from tests.assessment.helpers import key_figures, open_workbook
from tests.factories import BranchFactory
from tests.supervision.factories import CampaignFactory, ProblemFactory, VisitFactory

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _stat(page: str, testid: str) -> str | None:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    return found.group(1) if found else None


def _workbook_figures(org, year: int) -> dict:
    job = run_export(job_id=ExportJob.objects.create(year=year, unit=org.company, requested_by=org.admin).pk)
    assert job.status == ExportJob.Status.DONE, job.error
    return key_figures(open_workbook(job.file.path)["汇总"])


# --- 15. overdue: one definition, stated, used everywhere ------------------------------------------------


@pytest.mark.django_db
def test_a_problem_due_after_its_finished_campaign_is_not_overdue_on_any_page(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 12, 10))
    client = login(org.staff)
    # Logged today, due 2021-01-31: the 2020 campaign's figures are counted as of its last day, 2020-12-31.
    response = client.post(
        f"/supervision/visits/{visit.pk}/",
        {"kind": "problem", "title": "台账不全", "owner_unit": org.city.pk, "due_on": "2021-01-31"},
    )
    assert response.status_code == 302
    problem = Finding.objects.get(title="台账不全")
    late = ProblemFactory(visit=visit, title="早该整改", due_on=datetime.date(2020, 12, 20))

    detail = client.get(f"/supervision/problems/{problem.pk}/").content.decode()
    assert 'data-testid="overdue"' not in detail
    assert "逾期" not in detail.split('data-testid="problem-status"')[1].split("</p>")[0]
    late_detail = client.get(f"/supervision/problems/{late.pk}/").content.decode()
    assert _stat(late_detail, "overdue") == "截至 2020-12-31 已逾期"

    listed = client.get("/supervision/problems/", {"overdue": "1"}).content.decode()
    assert "早该整改" in listed and "台账不全" not in listed
    assert 'data-testid="overdue-rule"' in listed

    rollup_coverage(campaign=campaign)
    dashboard = client.get(f"/supervision/campaigns/{campaign.pk}/").content.decode()
    assert _stat(dashboard, "open-problems") == "2"
    assert re.match(r"1\b", _stat(dashboard, "overdue-problems"))
    assert "2020-12-31" in dashboard.split('data-testid="problems-rule"')[1].split("</span>")[0]
    assert CoverageSnapshot.objects.get(campaign=campaign, unit=None).overdue_problems == 1

    figures = _workbook_figures(org, 2020)
    assert (figures["发现问题"], figures["已整改问题"], figures["逾期未整改"]) == (2, 0, 1)


@pytest.mark.django_db
def test_in_a_running_campaign_a_problem_is_overdue_from_the_day_after_its_due_date(login, org):
    campaign = CampaignFactory(
        year=TODAY.year,
        starts_on=TODAY - datetime.timedelta(days=100),
        ends_on=TODAY + datetime.timedelta(days=100),
        scope=[org.company],
    )
    visit = VisitFactory(
        campaign=campaign, branch=org.city_branch, visited_on=TODAY - datetime.timedelta(days=5)
    )
    ProblemFactory(visit=visit, title="今天到期", due_on=TODAY)
    ProblemFactory(visit=visit, title="昨天到期", due_on=TODAY - datetime.timedelta(days=1))
    client = login(org.staff)

    listed = client.get("/supervision/problems/", {"overdue": "1"}).content.decode()
    assert "昨天到期" in listed and "今天到期" not in listed
    rollup_coverage(campaign=campaign)
    dashboard = client.get(f"/supervision/campaigns/{campaign.pk}/").content.decode()
    assert _stat(dashboard, "open-problems") == "2"
    assert re.match(r"1\b", _stat(dashboard, "overdue-problems"))
    assert _workbook_figures(org, TODAY.year)["逾期未整改"] == 1
    assert Finding.objects.overdue().get().title == "昨天到期"


# --- 16. resolving a problem refreshes the dashboard's open count ---------------------------------------


@pytest.mark.django_db
def test_resolving_a_problem_refreshes_the_dashboards_open_count_with_tasks_run_in_the_web_process(
    login, org, campaign, django_capture_on_commit_callbacks
):
    assert celery_app.conf.task_always_eager  # as in the demo: the roll-up runs inside the request
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    problem = ProblemFactory(visit=visit, due_on=datetime.date(2020, 7, 1))
    ProblemFactory(visit=visit, due_on=datetime.date(2020, 7, 1))
    rollup_coverage(campaign=campaign)
    client = login(org.staff)
    dashboard_url = f"/supervision/campaigns/{campaign.pk}/"
    assert _stat(client.get(dashboard_url).content.decode(), "open-problems") == "2"

    # Resolved today, after the campaign ended: still one problem fewer open.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/supervision/problems/{problem.pk}/",
            {"action": "resolve", "resolution": "已整改", "evidence": "整改报告"},
        )
    assert response.status_code == 302

    page = client.get(dashboard_url).content.decode()
    assert _stat(page, "open-problems") == "1"
    assert re.match(r"1\b", _stat(page, "overdue-problems"))


# --- 17. one rounding rule: half up, one number of decimals per figure -----------------------------------


def test_percent_and_scores_round_half_up():
    assert percent(213, 305) == Decimal("69.8")
    assert percent(1, 16) == Decimal("6.3")  # 6.25: half to even would say 6.2
    assert percent(13, 80) == Decimal("16.3")  # 16.25
    assert percent(0, 0) is None
    assert fraction_percent(0.0625) == Decimal("6.3")
    assert half_up(12.25, 1) == Decimal("12.3")
    assert half_up(12.35, 1) == Decimal("12.4")  # the float 12.35 is 12.3499...; read as written
    assert half_up(Decimal("-0.05"), 1) == Decimal("-0.1")
    assert half_up(None, 1) is None


@pytest.mark.django_db
def test_coverage_is_rounded_half_up_alike_on_the_dashboard_in_snapshots_and_in_the_workbook(login, org):
    campaign = CampaignFactory(scope=[org.company])
    # 1 of 16 active branches visited: 6.25%.
    for _ in range(13):
        BranchFactory(unit=org.city)
    VisitFactory(campaign=campaign, branch=org.city_branch)
    rollup_coverage(campaign=campaign)

    snapshot = CoverageSnapshot.objects.get(campaign=campaign, unit=None)
    assert (snapshot.visited_branches, snapshot.active_branches) == (1, 16)
    assert snapshot.coverage_percent == Decimal("6.3")
    page = login(org.staff).get(f"/supervision/campaigns/{campaign.pk}/").content.decode()
    assert _stat(page, "coverage-percent") == "6.3%"
    figures = _workbook_figures(org, 2020)
    assert figures["覆盖率"] == 0.063  # shown as 6.3% by the cell's 0.0% format


@pytest.mark.django_db
def test_the_mean_checklist_total_has_one_decimal_on_the_dashboard_and_in_the_workbook(login, org):
    campaign = CampaignFactory(scope=[org.company])
    # 9 items of weight 1: 72 and 72.5 average to 72.25, which rounds half up to 72.3.
    VisitFactory(campaign=campaign, branch=org.city_branch, score=Decimal("8"))
    visit = VisitFactory(campaign=campaign, branch=org.county_branch, score=Decimal("8"))
    first = visit.scores.order_by("pk").first()
    first.score = Decimal("8.5")
    first.save()
    rollup_coverage(campaign=campaign)

    page = login(org.staff).get(f"/supervision/campaigns/{campaign.pk}/").content.decode()
    assert _stat(page, "mean-total") == "72.3"
    assert CoverageSnapshot.objects.get(campaign=campaign, unit=None).mean_total == Decimal("72.3")


@pytest.mark.django_db
def test_the_nightly_job_writes_a_finished_campaigns_last_day_with_todays_resolutions(org, campaign):
    from supervision.rollup import rollup_all_campaigns
    from supervision.services import resolve_problem

    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    # A completed visit whose scores are gone still counts as visited, and adds no score.
    VisitFactory(campaign=campaign, branch=org.county_branch).scores.all().delete()
    problem = ProblemFactory(visit=visit, due_on=datetime.date(2020, 7, 1))
    resolve_problem(problem=problem, resolution="已整改", evidence="整改报告")  # resolved today

    assert rollup_all_campaigns() == 1
    total = CoverageSnapshot.objects.get(campaign=campaign, unit=None, day=campaign.ends_on)
    assert (total.visited_branches, total.open_problems, total.overdue_problems) == (2, 0, 0)
    # 72 for the city branch, nothing for the county's: the mean over both visited branches.
    assert total.mean_total == Decimal("36.0")
