"""Rating progress per department and per reviewer: the queues' own counts, filterable, exportable."""

import pytest
from django.utils import translation

from org.models import Role
from projects import selectors, services
from projects.models import Assignment
from tests.factories import DepartmentFactory, UnitFactory, UserFactory
from tests.responses import shown


@pytest.fixture
def progress_world(org, world):
    """Department-wide rows for the department (two reviewers), named rows for a headquarters reviewer."""
    named = UserFactory(
        username="t-hq-named",
        role=Role.REVIEWER,
        unit=UnitFactory(parent=org.company, code="C-HQ"),
        department=DepartmentFactory(code="D-MKT", name="市场营销部"),
    )
    for project in (world.city, world.county, world.station):
        Assignment.objects.create(
            round=world.round, project=project, department=named.department, reviewer=named
        )
    criterion = world.round.criteria.get()
    for user, project in (
        (named, world.city),
        (org.reviewer, world.county),
        (world.county_reviewer, world.city),
    ):
        services.submit_rating(
            user=user,
            assignment=selectors.assignment_for_rater_or_404(
                user=user, rating_round=world.round, project_id=project.pk
            ),
            values={criterion.pk: 80},
        )
    return named


def test_each_reviewers_row_is_their_queues_progress(org, world, progress_world):
    rows = {
        row.username: (row.rated, row.assigned)
        for row in selectors.reviewer_progress_rows(rating_round=world.round)
    }
    for user in (org.reviewer, world.county_reviewer, progress_world):
        progress = selectors.reviewer_progress(user=user, rating_round=world.round)
        assert rows[user.username] == (progress.rated, progress.assigned)
    # The city reviewer: county and station (city is their own unit); the county reviewer: only city.
    assert rows == {"t-reviewer": (1, 2), "t-reviewer2": (1, 1), "t-hq-named": (1, 3)}
    departments = {
        row.code: (row.rated, row.assigned)
        for row in selectors.department_progress_rows(rating_round=world.round)
    }
    assert departments == {"D-OPS": (2, 3), "D-MKT": (1, 3)}


def test_the_page_filters_and_exports_both_tables(login, org, world, progress_world):
    client = login(org.admin)
    url = f"/projects/rounds/{world.round.pk}/progress/"
    page = client.get(url).content.decode()
    reviewers = page.split('data-testid="reviewer-progress"')[1].split("</table>")[0]
    named, county = progress_world.get_full_name(), world.county_reviewer.get_full_name()
    assert named in reviewers and ">33.3<" in reviewers and ">50.0<" in reviewers
    departments = page.split('data-testid="department-progress"')[1].split("</table>")[0]
    assert "市场营销部" in departments and ">66.7<" in departments

    behind = client.get(url, {"behind": "true"}).content.decode().split('data-testid="reviewer-progress"')[1]
    assert named in behind and f"<td>{county}</td>" not in behind
    mine = client.get(url, {"department": progress_world.department.pk}).content.decode()
    assert f"<td>{county}</td>" not in mine.split('data-testid="reviewer-progress"')[1]

    with translation.override("en"):
        exported = client.get(url, {"behind": "true", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    lines = b"".join(exported.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 3  # header, the two reviewers still rating
    assert lines[1].split(",")[-3:] == ["1", "2", "50.0"] or lines[2].split(",")[-3:] == ["1", "2", "50.0"]
    departments_csv = client.get(url, {"table": "departments", "export": "csv"})
    rows = b"".join(departments_csv.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[1:] == ["D-MKT,市场营销部,1,3,33.3", f"D-OPS,{org.department.name},2,3,66.7"]


def test_junk_filters_answer_400(login, org, world):
    response = login(org.admin).get(f"/projects/rounds/{world.round.pk}/progress/", {"department": "x"})
    assert response.status_code == 400
    assert (
        shown("Select a valid choice. That choice is not one of the available choices.")
        in response.content.decode()
    )
