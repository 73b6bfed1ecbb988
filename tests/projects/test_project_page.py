"""A project's page: its place in the published lists, and what a user without a rating role sees."""

import pytest

from org.models import Role
from projects import services
from tests.factories import UserFactory
from tests.projects.factories import BranchProjectFactory


def test_the_page_marks_a_project_on_the_tracking_list_and_outstanding(login, org, rated):
    rating_round, projects, _rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    services.confirm_outstanding(
        rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk, projects[1].pk]
    )
    client = login(org.admin)

    top = client.get(f"/projects/{projects[0].pk}/").content.decode()
    assert 'data-testid="on-tracking-list"' in top and 'data-testid="outstanding"' in top
    tracked = client.get(f"/projects/{projects[2].pk}/").content.decode()
    assert 'data-testid="on-tracking-list"' in tracked and 'data-testid="outstanding"' not in tracked
    last = client.get(f"/projects/{projects[6].pk}/").content.decode()
    assert 'data-testid="on-tracking-list"' not in last


@pytest.mark.django_db
def test_a_project_of_a_year_without_a_round_shows_no_rating(login, org):
    project = BranchProjectFactory(branch=org.city_branch, year=2019)
    page = login(org.admin).get(f"/projects/{project.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert project.title in text
    assert 'data-testid="rating-figures"' not in text and 'data-testid="scores-hidden"' not in text


@pytest.mark.django_db
def test_a_reviewer_without_a_department_sees_no_project(login, org, world):
    lost = UserFactory(username="t-nodept", role=Role.REVIEWER, unit=org.city, department=None)
    client = login(lost)
    assert client.get(f"/projects/{world.county.pk}/").status_code == 404
    assert world.county.title not in client.get("/projects/").content.decode()
