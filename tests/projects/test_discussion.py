"""After the window closes, a project's raters see each other's scores and comments and discuss it;
a rating changed after the discussion started keeps its history and says so."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from projects import selectors, services
from projects.models import DiscussionPost, RatingRound
from tests.responses import followed, shown


def rate(user, world, project, score, **extra):
    return services.submit_rating(
        user=user,
        assignment=selectors.assignment_for_rater_or_404(
            user=user, rating_round=world.round, project_id=project.pk
        ),
        values={world.round.criteria.get().pk: score},
        **extra,
    )


@pytest.fixture
def closed(org, world):
    """The county project rated by both reviewers who may (the city reviewer and the county one? no:
    the county reviewer cannot rate county); the city project by the county reviewer only."""
    rate(org.reviewer, world, world.county, 60, comment="指标偏保守")
    rate(org.reviewer, world, world.station, 70)
    rate(world.county_reviewer, world, world.city, 90, comment="成效明显")
    services.close_round(rating_round=world.round, user=org.admin, reason="到期")
    world.round.refresh_from_db()
    return world


def url(world, project):
    return f"/projects/rounds/{world.round.pk}/discuss/{project.pk}/"


def test_raters_discuss_after_the_window_closes(login, org, world, closed):
    admin = login(org.admin)
    page = admin.get(url(world, world.county)).content.decode()
    assert "指标偏保守" in page and ">60.00<" in page.replace(" <span", "<")

    reviewer = login(org.reviewer)
    response = reviewer.post(url(world, world.county), {"body": "  "})
    assert response.status_code == 400 and shown("Write something to post.") in response.content.decode()
    response = reviewer.post(url(world, world.county), {"body": "基线是否按上年实际?"})
    page = followed(client := reviewer, response, to=url(world, world.county))
    assert shown("Your message is posted.") in page and "基线是否按上年实际?" in page
    assert DiscussionPost.objects.get().author == org.reviewer
    admin.post(url(world, world.county), {"body": "按上年实际。"})
    assert DiscussionPost.objects.count() == 2 and client

    # The county reviewer did not rate the county project (their own unit): not found.
    assert login(world.county_reviewer).get(url(world, world.county)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.post_to_discussion(
            user=world.county_reviewer, rating_round=world.round, project=world.county, body="x"
        )


def test_no_discussion_while_the_window_is_open(login, org, world):
    rate(org.reviewer, world, world.county, 60)
    client = login(org.reviewer)
    response = client.get(url(world, world.county))
    page = followed(client, response, to=f"/projects/{world.county.pk}/")
    assert shown("The discussion opens when the rating window closes.") in page
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.post_to_discussion(
            user=org.reviewer, rating_round=world.round, project=world.county, body="早"
        )
    assert refused.value.messages == ["The discussion opens when the rating window closes."]


def test_a_rating_changed_after_the_discussion_keeps_its_history(login, org, world, closed):
    services.post_to_discussion(
        user=org.admin, rating_round=world.round, project=world.county, body="请再看基线"
    )
    services.reopen_round(rating_round=world.round, user=org.admin, reason="讨论后复核")
    world.round.refresh_from_db()
    rating = rate(
        org.reviewer, world, world.county, 75, comment="指标偏保守", reason="讨论后上调", expected_version=1
    )
    services.close_round(rating_round=world.round, user=org.admin, reason="复核完毕")
    world.round.status = RatingRound.Status.CLOSED
    found = {r.pk: r for r in selectors.discussion(rating_round=world.round, project=world.county).ratings}
    assert found[rating.pk].changed_after_discussion is True
    assert [str(record.score) for record in found[rating.pk].earlier] == ["60.00"]
    page = login(org.reviewer).get(url(world, world.county)).content.decode()
    assert 'data-testid="changed-after-discussion"' in page and "讨论后上调" in page
    # The station project was not discussed: no mark.
    station = selectors.discussion(rating_round=world.round, project=world.station).ratings
    assert [r.changed_after_discussion for r in station] == [False]
