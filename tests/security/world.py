"""One object of each kind on each side of the org chart, for the permission matrix.

"county" objects belong to the county subtree (in scope for the unit-level admin and staff);
"city" objects belong to the city branch (the secretary's own branch, foreign to the county users).
The reviewer's home unit is the city, so the city project is a conflict of interest for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from assessment.models import ExportJob
from pairings.models import LiaisonGroup, Pairing, PairingActivity
from projects.models import Assignment, BranchProject, RatingRound
from supervision.models import Campaign, Feedback, Finding, PlannedVisit, PlannedVisitor, Visit
from tests.conftest import Org
from tests.pairings.factories import ActivityFactory, LiaisonGroupFactory, PairingFactory
from tests.projects.factories import BranchProjectFactory, RatingRoundFactory
from tests.supervision.factories import CampaignFactory, ProblemFactory, VisitFactory


@dataclass
class World:
    org: Org
    campaign: Campaign
    county_visit: Visit
    city_visit: Visit
    county_problem: Finding
    city_problem: Finding
    rating_round: RatingRound
    county_project: BranchProject
    city_project: BranchProject
    county_pairing: Pairing
    city_pairing: Pairing
    county_activity: PairingActivity
    city_activity: PairingActivity
    county_liaison: LiaisonGroup
    city_liaison: LiaisonGroup
    county_feedback: Feedback
    city_feedback: Feedback
    county_export: ExportJob
    city_export: ExportJob
    county_plan: PlannedVisit
    city_plan: PlannedVisit

    def __getattr__(self, name):
        # Users and units read straight from the org fixture: world.unit_staff, world.county...
        return getattr(self.__dict__["org"], name)


def _plan(campaign: Campaign, branch, visitor, planner) -> PlannedVisit:
    plan = PlannedVisit.objects.create(
        campaign=campaign, branch=branch, planned_on=campaign.ends_on, created_by=planner
    )
    PlannedVisitor.objects.create(plan=plan, user=visitor)
    return plan


def build_world(org: Org) -> World:
    campaign = CampaignFactory(scope=[org.company])
    county_visit = VisitFactory(campaign=campaign, branch=org.county_branch, created_by=org.unit_staff)
    city_visit = VisitFactory(campaign=campaign, branch=org.city_branch, created_by=org.staff)
    rating_round = RatingRoundFactory(year=2020, status=RatingRound.Status.OPEN)
    projects = {}
    for side in ("county", "city"):
        project = BranchProjectFactory(
            branch=getattr(org, f"{side}_branch"), departments=[org.department], title=f"{side}项目"
        )
        Assignment.objects.create(round=rating_round, project=project, department=org.department)
        projects[side] = project
    county_pairing = PairingFactory(branch=org.county_branch)
    city_pairing = PairingFactory(branch=org.city_branch)
    return World(
        org=org,
        campaign=campaign,
        county_visit=county_visit,
        city_visit=city_visit,
        county_problem=ProblemFactory(visit=county_visit, owner_unit=org.county),
        city_problem=ProblemFactory(visit=city_visit, owner_unit=org.city),
        rating_round=rating_round,
        county_project=projects["county"],
        city_project=projects["city"],
        county_pairing=county_pairing,
        city_pairing=city_pairing,
        county_activity=ActivityFactory(pairing=county_pairing),
        city_activity=ActivityFactory(pairing=city_pairing),
        county_liaison=LiaisonGroupFactory(branch=org.county_branch),
        city_liaison=LiaisonGroupFactory(branch=org.city_branch),
        county_feedback=Feedback.objects.create(
            campaign=campaign, unit=org.county, summary="反馈", created_by=org.staff, sent_at=timezone.now()
        ),
        city_feedback=Feedback.objects.create(
            campaign=campaign, unit=org.city, summary="反馈", created_by=org.staff, sent_at=timezone.now()
        ),
        county_export=ExportJob.objects.create(year=2020, unit=org.county, requested_by=org.unit_admin),
        city_export=ExportJob.objects.create(year=2020, unit=org.city, requested_by=org.admin),
        county_plan=_plan(campaign, org.county_branch, org.unit_staff, org.unit_admin),
        city_plan=_plan(campaign, org.city_branch, org.staff, org.admin),
    )
