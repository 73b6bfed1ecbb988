"""A closed round is reopened by a company administrator with a reason, until its list is published."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from projects import services
from projects.models import RatingRound
from tests.responses import followed, shown


def test_a_company_administrator_reopens_a_closed_round_with_a_reason(login, org, rated):
    rating_round, _projects, _rater = rated
    client = login(org.admin)
    url = f"/projects/rounds/{rating_round.pk}/reopen/"
    assert 'data-testid="reopen-form"' in client.get(url).content.decode()
    response = client.post(url, {"reason": "", "confirm": "on"})
    assert response.status_code == 400
    assert shown("Say why; the reason is kept in the history.") in response.content.decode()
    rating_round.refresh_from_db()
    assert rating_round.is_closed
    new_end = datetime.date.today() + datetime.timedelta(days=7)
    response = client.post(
        url, {"reason": "部分部门未完成评价", "confirm": "on", "closes_on": new_end.isoformat()}
    )
    page = followed(client, response, to=f"/projects/rounds/{rating_round.pk}/")
    assert shown("The round is open again; reviewers can rate inside its window.") in page
    rating_round.refresh_from_db()
    assert rating_round.is_open and rating_round.closes_on == new_end and rating_round.closed_at is None
    assert rating_round.history.first().history_change_reason == "部分部门未完成评价"


def test_a_round_with_a_published_list_cannot_be_reopened(login, org, rated):
    rating_round, _projects, _rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.reopen_round(rating_round=rating_round, user=org.admin, reason="x")
    assert refused.value.messages == [
        f"The tracking list of {rating_round} is published: the round can no longer be reopened."
    ]
    client = login(org.admin)
    response = client.get(f"/projects/rounds/{rating_round.pk}/reopen/")
    page = followed(client, response, to=f"/projects/rounds/{rating_round.pk}/")
    assert "已发布跟踪实施名单，不能再重新开启。" in page
    assert RatingRound.objects.get(pk=rating_round.pk).is_closed


def test_only_a_closed_round_reopens_and_only_by_a_company_administrator(org, world):
    with pytest.raises(PermissionDenied):
        services.reopen_round(rating_round=world.round, user=org.unit_admin, reason="x")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.reopen_round(rating_round=world.round, user=org.admin, reason="x")
    assert refused.value.messages == ["Only a closed round can be reopened."]


@pytest.mark.parametrize("who", ["unit_admin", "staff", "reviewer", "secretary"])
def test_only_company_administrators_close_and_reopen(login, org, world, who):
    client = login(getattr(org, who))
    confirmed = {"reason": "x", "confirm": "on"}
    assert client.post(f"/projects/rounds/{world.round.pk}/close/", confirmed).status_code == 403
    assert RatingRound.objects.get(pk=world.round.pk).is_open
    services.close_round(rating_round=world.round, user=org.admin, reason="期满")
    assert client.post(f"/projects/rounds/{world.round.pk}/reopen/", confirmed).status_code == 403
    assert RatingRound.objects.get(pk=world.round.pk).is_closed
