from dataclasses import dataclass
from decimal import Decimal

import pytest

from org.models import Role, User
from projects import services
from projects.models import Assignment, BranchProject, RatingRound
from tests.factories import BranchFactory, DepartmentFactory, UnitFactory, UserFactory
from tests.projects.factories import (
    AssignmentFactory,
    BranchProjectFactory,
    RatingFactory,
    RatingRoundFactory,
)


@dataclass
class World:
    round: RatingRound
    city: BranchProject  # the reviewer's home unit: never in their queue
    county: BranchProject
    station: BranchProject
    county_reviewer: User  # same department, home unit county: rates the city project


@pytest.fixture
def world(org) -> World:
    """The org fixture's three branches, each with a 2020 project the department rates, in an open round."""
    rating_round = RatingRoundFactory(year=2020, status=RatingRound.Status.OPEN)
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
    return World(round=rating_round, county_reviewer=county_reviewer, **projects)


@pytest.fixture
def rated(org):
    """Seven rated projects in a closed round; projects 4 and 5 tie on the mean (70) across the cut of 4."""
    rating_round = RatingRoundFactory(year=2020, status=RatingRound.Status.OPEN)
    home = UnitFactory(parent=org.company, code="C-HQ")
    rater = UserFactory(username="t-rater", role=Role.REVIEWER, unit=home, department=org.department)
    other = UserFactory(
        username="t-rater2", role=Role.REVIEWER, unit=home, department=DepartmentFactory(code="D-MKT")
    )
    projects = []
    scores = [(90, 90), (80, 80), (75, 75), (60, 80), (70, 70), (60, 60), (50, 50)]
    for index, (first, second) in enumerate(scores, start=1):
        project = BranchProjectFactory(
            branch=BranchFactory(unit=org.county, code=f"B-{index}"), title=f"项目{index}"
        )
        for user, score in ((rater, first), (other, second)):
            AssignmentFactory(round=rating_round, project=project, department=user.department)
            RatingFactory(round=rating_round, project=project, rater=user, score=Decimal(score))
        projects.append(project)
    services.close_round(rating_round=rating_round, user=org.admin)
    rating_round.refresh_from_db()
    return rating_round, projects, rater
