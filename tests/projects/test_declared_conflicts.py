"""A reviewer declares a conflict of interest: the project leaves their queue and is reassigned."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from org.models import Role
from projects import services
from projects.models import Assignment, DeclaredConflict
from tests.factories import UnitFactory, UserFactory
from tests.responses import followed, shown


def conflict_url(world, project):
    return f"/projects/rounds/{world.round.pk}/conflict/{project.pk}/"


def test_a_declared_conflict_takes_the_project_out_of_the_queue_and_a_colleague_rates_it(login, org, world):
    client = login(org.reviewer)
    response = client.post(conflict_url(world, world.county), {"reason": ""})
    assert response.status_code == 400
    assert shown("Say why you have a conflict of interest; the reason is kept.") in response.content.decode()
    response = client.post(conflict_url(world, world.county), {"reason": "本人曾在该支部任职"})
    page = followed(client, response, to=f"/projects/queue/?round={world.round.pk}")
    assert "county项目" not in page.split("<table")[1] and "station项目" in page.split("<table")[1]
    assert 'data-testid="assigned">1<' in page
    conflict = DeclaredConflict.objects.get()
    # The department's only other reviewer sits in the county: nobody can take it, so it is flagged.
    assert (conflict.reviewer, conflict.reason, conflict.needs_reassignment) == (
        org.reviewer,
        "本人曾在该支部任职",
        True,
    )
    # Rating it anyway: not found, by the page and by the service.
    assert client.get(f"/projects/rounds/{world.round.pk}/rate/{world.county.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.submit_rating(
            user=org.reviewer,
            assignment=Assignment.objects.get(project=world.county),
            values={world.round.criteria.get().pk: 80},
        )


def test_a_conflict_a_colleague_can_take_is_not_flagged(org, world):
    # The department's other reviewer sits in the county: the county's projects are theirs to avoid too.
    assignment = Assignment.objects.get(project=world.station)
    assert services.declare_conflict(
        user=org.reviewer, assignment=assignment, reason="亲属在该支部"
    ).needs_reassignment
    DeclaredConflict.objects.all().delete()
    UserFactory(
        username="t-reviewer3",
        role=Role.REVIEWER,
        unit=UnitFactory(parent=org.company, code="C-OTH"),
        department=org.department,
    )
    conflict = services.declare_conflict(user=org.reviewer, assignment=assignment, reason="亲属在该支部")
    assert conflict.needs_reassignment is False


def test_a_rated_project_or_a_closed_round_refuses_a_conflict(org, world):
    assignment = Assignment.objects.get(project=world.county)
    services.submit_rating(
        user=org.reviewer, assignment=assignment, values={world.round.criteria.get().pk: 80}
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.declare_conflict(user=org.reviewer, assignment=assignment, reason="x")
    assert refused.value.messages == [
        "You have rated this project already: ask the administrator to withdraw your rating first."
    ]
    services.close_round(rating_round=world.round, user=org.admin, reason="期满")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.declare_conflict(
            user=org.reviewer, assignment=Assignment.objects.get(project=world.station), reason="x"
        )
    assert refused.value.messages == [
        f"The rating window of {world.round} is closed: ratings can no longer change."
    ]
    assert not DeclaredConflict.objects.exists()


def test_administrators_see_every_declared_conflict_filtered_and_exported(login, org, world):
    services.declare_conflict(
        user=org.reviewer, assignment=Assignment.objects.get(project=world.county), reason="亲属在该支部"
    )
    client = login(org.admin)
    page = client.get("/projects/conflicts/").content.decode()
    assert page.count('data-testid="conflict-row"') == 1 and "亲属在该支部" in page
    assert (
        client.get("/projects/conflicts/", {"needs_reassignment": "false"})
        .content.decode()
        .count('data-testid="conflict-row"')
        == 0
    )
    assert client.get("/projects/conflicts/", {"round": "junk"}).status_code == 400
    export = client.get("/projects/conflicts/", {"export": "csv"})
    assert export.status_code == 200
    assert "亲属在该支部" in b"".join(export.streaming_content).decode("utf-8-sig")
