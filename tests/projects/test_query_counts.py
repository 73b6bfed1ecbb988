"""The reviewer queue, the ranking page and the project list cost the same queries at any data size."""

from decimal import Decimal

from org.models import Role
from projects import services
from projects.models import Assignment, ProjectRevision, RatingRound
from tests.factories import BranchFactory, DepartmentFactory, UnitFactory, UserFactory
from tests.projects.factories import AssignmentFactory, BranchProjectFactory, RatingFactory
from tests.query_budget import assert_page_within_budget


def _more_rated_projects(rating_round, raters, *, count, unit):
    for index in range(count):
        project = BranchProjectFactory(
            branch=BranchFactory(unit=unit), departments=[r.department for r in raters]
        )
        for offset, rater in enumerate(raters):
            AssignmentFactory(round=rating_round, project=project, department=rater.department)
            RatingFactory(
                round=rating_round,
                project=project,
                rater=rater,
                score=Decimal(50 + (index * 7 + offset) % 45),
            )
        ProjectRevision.objects.create(
            project=project, number=1, changed_by=raters[0], changed_at=project.created_at, material=True
        )


def test_reviewer_queue_budget(login, org, world):
    client = login(org.reviewer)
    services.submit_rating(
        user=org.reviewer,
        assignment=Assignment.objects.get(project=world.county),
        values={world.round.criteria.get().pk: Decimal(70)},
    )

    def grow():
        _more_rated_projects(world.round, [org.reviewer], count=15, unit=org.station)

    assert_page_within_budget(
        app="projects", page="reviewer_queue", client=client, url="/projects/queue/", grow=grow
    )


def test_ranking_page_budget(login, org, rated):
    rating_round, _projects, rater = rated
    client = login(org.admin)
    second = UserFactory(role=Role.REVIEWER, unit=rater.unit, department=DepartmentFactory())

    def grow():
        # Ratings can only be added while a round is open; the page is measured on a closed one.
        RatingRound.objects.filter(pk=rating_round.pk).update(status=RatingRound.Status.OPEN)
        _more_rated_projects(rating_round, [rater, second], count=20, unit=UnitFactory(parent=org.company))
        RatingRound.objects.filter(pk=rating_round.pk).update(status=RatingRound.Status.CLOSED)

    assert_page_within_budget(
        app="projects",
        page="ranking",
        client=client,
        url=f"/projects/rounds/{rating_round.pk}/ranking/",
        grow=grow,
    )


def test_project_list_budget(login, org, rated):
    rating_round, _projects, rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    client = login(org.admin)

    def grow():
        _more_rated_projects(rating_round, [rater], count=20, unit=UnitFactory(parent=org.company))
        services.publish_tracking_list(rating_round=rating_round, user=org.admin, reason="更多项目")

    assert_page_within_budget(app="projects", page="project_list", client=client, url="/projects/", grow=grow)


def test_round_progress_budget(login, org, world):
    """Per department and per reviewer, named and department-wide assignments alike."""
    client = login(org.admin)
    headquarters = UnitFactory(parent=org.company, code="C-HQ")

    def grow():
        for _index in range(6):
            reviewer = UserFactory(role=Role.REVIEWER, unit=headquarters, department=DepartmentFactory())
            for project in (world.city, world.county):
                AssignmentFactory(
                    round=world.round, project=project, department=reviewer.department, reviewer=reviewer
                )
            RatingFactory(round=world.round, project=world.city, rater=reviewer)

    assert_page_within_budget(
        app="projects",
        page="round_progress",
        client=client,
        url=f"/projects/rounds/{world.round.pk}/progress/",
        grow=grow,
    )
