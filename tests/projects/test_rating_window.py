"""The rating window is enforced on every path: before its first day, after its last, on a closed round."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from projects import services
from projects.models import Assignment, Rating, RatingRound


def rate_url(world, project):
    return f"/projects/rounds/{world.round.pk}/rate/{project.pk}/"


def move_window(world, *, opens_in: int, closes_in: int) -> None:
    today = timezone.localdate()
    RatingRound.objects.filter(pk=world.round.pk).update(
        opens_on=today + datetime.timedelta(days=opens_in),
        closes_on=today + datetime.timedelta(days=closes_in),
    )
    world.round.refresh_from_db()


def refusal_in(language: str, world, *, today=None) -> str:
    assignment = Assignment.objects.get(project=world.county)
    criterion = world.round.criteria.get()
    with translation.override(language), pytest.raises(ValidationError) as refused:
        services.submit_rating(
            user=world.reviewer, assignment=assignment, values={criterion.pk: Decimal(80)}, today=today
        )
    return refused.value.messages[0]


@pytest.fixture
def window(org, world):
    world.reviewer = org.reviewer
    return world


def test_the_service_refuses_a_rating_before_the_window_opens(window):
    move_window(window, opens_in=3, closes_in=30)
    opens = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert refusal_in("en", window) == (
        f"The rating window of 2020年度项目评价 opens on {opens}: ratings are accepted from then on."
    )
    assert refusal_in("zh-hans", window) == f"2020年度项目评价的评价窗口将于 {opens} 开启，届时方可评价。"
    assert not Rating.objects.exists()


def test_the_service_refuses_a_rating_after_the_window_ended(window):
    move_window(window, opens_in=-30, closes_in=-1)
    ended = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert refusal_in("en", window) == (
        f"The rating window of 2020年度项目评价 ended on {ended}: ratings are no longer accepted."
    )
    assert refusal_in("zh-hans", window) == f"2020年度项目评价的评价窗口已于 {ended} 结束，不再接受评价。"
    assert not Rating.objects.exists()


def test_the_first_and_last_day_of_the_window_accept_a_rating(window):
    first, last = window.round.opens_on, window.round.closes_on
    assignment = Assignment.objects.get(project=window.county)
    criterion = window.round.criteria.get()
    for day in (first, last):
        services.submit_rating(
            user=window.reviewer,
            assignment=assignment,
            values={criterion.pk: Decimal(80)},
            today=day,
        )
    assert refusal_in("en", window, today=last + datetime.timedelta(days=1)).startswith("The rating window")
    assert Rating.objects.count() == 1


def test_a_closed_round_refuses_a_rating_even_inside_its_dates(window):
    RatingRound.objects.filter(pk=window.round.pk).update(status=RatingRound.Status.CLOSED)
    assert refusal_in("en", window) == (
        "The rating window of 2020年度项目评价 is closed: ratings can no longer change."
    )


def test_the_rating_page_refuses_after_the_window_with_the_message_and_saves_nothing(login, window):
    move_window(window, opens_in=-30, closes_in=-1)
    client = login(window.reviewer)
    page = client.get(rate_url(window, window.county)).content.decode()
    ended = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert f"2020年度项目评价的评价窗口已于 {ended} 结束，不再接受评价。" in page
    field = f"criterion_{window.round.criteria.get().pk}"
    response = client.post(rate_url(window, window.county), {field: "80"})
    assert response.status_code == 400
    assert "不再接受评价" in response.content.decode()
    assert not Rating.objects.exists()
