"""The dashboard and the year-end workbook agree on every figure they share, on generated data.

Hypothesis builds a company (units, active and inactive branches, weighted checklist items, visits
completed or draft, dated before or after the figures day, scores in half points, problems due
before or after it, resolved or not) for a campaign that is over or still running; the dashboard
page is read as a user sees it, the workbook as a file, for the company and for each unit admin.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from assessment.models import ExportJob
from assessment.services import run_export
from branchtrack.web.rounding import half_up, percent
from org.models import Role
from supervision.models import ChecklistItem, Finding, Visit, VisitScore
from supervision.rollup import rollup_coverage
from tests.assessment.helpers import key_figures, open_workbook
from tests.factories import BranchFactory, UnitFactory, UserFactory
from tests.supervision.factories import CampaignFactory, ProblemFactory, VisitFactory

TODAY = timezone.localdate()
RESOLUTION = {"resolution": "已整改", "evidence": "整改报告"}

visit_plan = st.tuples(
    st.integers(0, 330),  # day offset from the campaign's start
    st.booleans(),  # completed?
    st.lists(st.integers(0, 20), min_size=9, max_size=9),  # half points per item (0-10)
    st.lists(  # problems: (due offset from the visit, resolved offset from the visit or None)
        st.tuples(st.integers(-10, 200), st.one_of(st.none(), st.integers(0, 200))), max_size=3
    ),
)
branch_plan = st.tuples(st.booleans(), st.lists(visit_plan, max_size=3))  # (active, visits)
unit_plan = st.lists(branch_plan, min_size=1, max_size=4)
world_plan = st.fixed_dictionaries(
    {
        "running": st.booleans(),
        "weights": st.lists(st.sampled_from(["1", "0.5", "1.25", "2", "0.75"]), min_size=9, max_size=9),
        "units": st.lists(st.tuples(unit_plan, st.lists(unit_plan, max_size=1)), min_size=1, max_size=3),
    }
)


def _build(plan: dict):
    """The generated company; returns (company admin, [(top unit, its admin)], campaign)."""
    if plan["running"]:
        starts, ends = TODAY - datetime.timedelta(days=200), TODAY + datetime.timedelta(days=60)
    else:
        starts, ends = datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)
    company = UnitFactory(name="公司")
    campaign = CampaignFactory(year=starts.year, starts_on=starts, ends_on=ends, scope=[company])
    for item, weight in zip(
        ChecklistItem.objects.filter(area__template=campaign.template).order_by("area__order", "order"),
        plan["weights"],
        strict=True,
    ):
        item.weight = Decimal(weight)
        item.save()
    items = list(
        ChecklistItem.objects.filter(area__template=campaign.template).order_by("area__order", "order")
    )
    tops = []

    def branches(unit, branch_plans):
        for active, visits in branch_plans:
            branch = BranchFactory(unit=unit, active=active)
            for offset, completed, points, problems in visits:
                visited_on = min(starts + datetime.timedelta(days=offset), ends)
                visit = VisitFactory(
                    campaign=campaign,
                    branch=branch,
                    visited_on=visited_on,
                    status=Visit.Status.COMPLETED if completed else Visit.Status.DRAFT,
                    score=Decimal("0"),
                )
                VisitScore.objects.filter(visit=visit).delete()
                VisitScore.objects.bulk_create(
                    VisitScore(visit=visit, item=item, score=Decimal(value) / 2)
                    for item, value in zip(items, points, strict=True)
                )
                for due, resolved in problems:
                    problem = ProblemFactory(visit=visit, due_on=visited_on + datetime.timedelta(days=due))
                    resolved_on = None if resolved is None else visited_on + datetime.timedelta(days=resolved)
                    if resolved_on is not None and resolved_on <= TODAY:
                        Finding.objects.filter(pk=problem.pk).update(
                            status=Finding.Status.RESOLVED, resolved_on=resolved_on, **RESOLUTION
                        )

    for own, children in plan["units"]:
        top = UnitFactory(parent=company)
        branches(top, own)
        for child in children:
            branches(UnitFactory(parent=top), child)
        tops.append((top, UserFactory(role=Role.ADMIN, unit=top)))
    admin = UserFactory(role=Role.ADMIN, unit=company)
    return admin, tops, campaign


def _dashboard(client, campaign) -> dict:
    page = client.get(f"/supervision/campaigns/{campaign.pk}/").content.decode()

    def stat(testid: str) -> str | None:
        found = re.search(rf'data-testid="{testid}">([^<]*)<', page)
        return found.group(1) if found else None

    visited, active = stat("coverage-count").split("/")
    overdue = stat("overdue-problems")
    mean = stat("mean-total")
    coverage = stat("coverage-percent")
    return {
        "visited": int(visited),
        "active": int(active),
        "coverage": None if coverage == "–" else Decimal(coverage.rstrip("%")),
        "mean": None if mean == "–" else Decimal(mean),
        "open": int(stat("open-problems")),
        "overdue": int(re.match(r"\d+", overdue).group()) if overdue else 0,
    }


def _summary_total(sheet) -> dict:
    """The summary table's "Total" row, by header."""
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "Unit" and "Branches" in row)
    header = rows[header_at]
    total = next(row for row in rows[header_at + 1 :] if row and row[0] == "Total")
    return dict(zip(header, total, strict=False))


def _workbook(admin, unit, year: int) -> dict:
    job = run_export(
        job_id=ExportJob.objects.create(year=year, unit=unit, requested_by=admin, language="en").pk
    )
    assert job.status == ExportJob.Status.DONE, job.error
    summary = open_workbook(job.file.path)["Summary"]
    figures, total = key_figures(summary), _summary_total(summary)
    coverage = figures.get("Coverage")
    return {
        "visited": figures["Visited active branches"],
        "active": figures["Active branches"],
        "coverage": None if coverage is None else half_up(Decimal(str(coverage)) * 100, 1),
        "mean": None
        if total.get("Mean checklist total") is None
        else half_up(total["Mean checklist total"], 1),
        "open": figures["Problems found"] - figures["Problems resolved"],
        "overdue": figures["Problems overdue"],
    }


@override_settings(LANGUAGE_CODE="en")
class DashboardAndWorkbookAgree(TestCase):
    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(plan=world_plan)
    def test_every_shared_figure_is_the_same_on_the_dashboard_and_in_the_workbook(self, plan):
        admin, tops, campaign = _build(plan)
        rollup_coverage(campaign=campaign)
        for user, unit in [(admin, admin.unit), *((unit_admin, top) for top, unit_admin in tops)]:
            self.client.force_login(user)
            dashboard = _dashboard(self.client, campaign)
            workbook = _workbook(admin, unit, campaign.year)
            assert dashboard == workbook, (unit.name, dashboard, workbook)
            assert dashboard["coverage"] == percent(dashboard["visited"], dashboard["active"])


project_plan = st.fixed_dictionaries(
    {
        # Per branch: None (no project this year), or two department ratings (40-100).
        "ratings": st.lists(
            st.one_of(st.none(), st.tuples(st.integers(40, 100), st.integers(40, 100))),
            min_size=2,
            max_size=9,
        ),
        "republish": st.booleans(),
        "pick": st.randoms(use_true_random=False),
    }
)


@override_settings(LANGUAGE_CODE="en")
class RoundPageAndWorkbookAgree(TestCase):
    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(plan=project_plan)
    def test_projects_tracking_and_outstanding_are_the_same_on_the_round_page_and_in_the_workbook(self, plan):
        from projects import services
        from projects.models import RatingRound
        from tests.factories import DepartmentFactory
        from tests.projects.factories import (
            AssignmentFactory,
            BranchProjectFactory,
            RatingFactory,
            RatingRoundFactory,
        )

        company = UnitFactory(name="公司")
        unit = UnitFactory(parent=company)
        home = UnitFactory(parent=company)
        admin = UserFactory(role=Role.ADMIN, unit=company)
        raters = [
            UserFactory(role=Role.REVIEWER, unit=home, department=DepartmentFactory()) for _ in range(2)
        ]
        rating_round = RatingRoundFactory(year=2020, status=RatingRound.Status.OPEN)
        for ratings in plan["ratings"]:
            branch = BranchFactory(unit=unit)
            if ratings is None:
                BranchProjectFactory(branch=branch, year=2019)
                continue
            project = BranchProjectFactory(branch=branch)
            for rater, score in zip(raters, ratings, strict=True):
                AssignmentFactory(round=rating_round, project=project, department=rater.department)
                RatingFactory(round=rating_round, project=project, rater=rater, score=Decimal(score))
        services.close_round(rating_round=rating_round, user=admin)
        rating_round.refresh_from_db()
        if any(plan["ratings"]):
            tracking = services.publish_tracking_list(rating_round=rating_round, user=admin)
            if plan["republish"]:
                tracking = services.publish_tracking_list(
                    rating_round=rating_round, user=admin, reason="复核"
                )
            on_list = sorted(tracking.entries.filter(on_list=True).values_list("project_id", flat=True))
            chosen = plan["pick"].sample(on_list, rating_round.outstanding_target(tracking.size))
            services.confirm_outstanding(rating_round=rating_round, user=admin, project_ids=chosen)

        self.client.force_login(admin)
        page = self.client.get(f"/projects/rounds/{rating_round.pk}/").content.decode()

        def stat(testid: str) -> int:
            return int(re.search(rf'data-testid="{testid}">([^<]*)<', page).group(1))

        job = run_export(
            job_id=ExportJob.objects.create(year=2020, unit=company, requested_by=admin, language="en").pk
        )
        assert job.status == ExportJob.Status.DONE, job.error
        figures = key_figures(open_workbook(job.file.path)["Summary"])
        assert (stat("year-projects"), stat("tracking-size"), stat("outstanding-size")) == (
            figures["Projects"],
            figures["On the tracking list"],
            figures["Outstanding projects"],
        )
