"""Rating in the window: the reviewer's queue, conflicts of interest, hidden scores, reasons for changes."""

from decimal import Decimal

import pytest

from projects import services
from projects.models import Assignment, Rating, RatingRound
from tests.factories import DepartmentFactory, UserFactory


def rate_url(world, project):
    return f"/projects/rounds/{world.round.pk}/rate/{project.pk}/"


def criterion_field(world):
    return f"criterion_{world.round.criteria.get().pk}"


def test_the_queue_lists_the_departments_projects_minus_the_reviewers_own_unit(login, org, world):
    page = login(org.reviewer).get("/projects/queue/").content.decode()
    assert "county项目" in page and "station项目" in page
    assert "city项目" not in page  # the reviewer's home unit is city
    assert 'data-testid="assigned">2<' in page and 'data-testid="rated">0<' in page


def test_a_reviewer_rates_a_project_and_sees_their_progress(login, org, world):
    client = login(org.reviewer)
    response = client.post(rate_url(world, world.county), {criterion_field(world): "86", "comment": "有力"})
    assert response.status_code == 302
    rating = Rating.objects.get(project=world.county, rater=org.reviewer)
    assert rating.score == Decimal("86.00") and rating.department == org.department
    page = client.get("/projects/queue/").content.decode()
    assert 'data-testid="rated">1<' in page


def test_rating_a_project_of_the_reviewers_own_unit_is_refused_as_not_found(login, org, world):
    client = login(org.reviewer)
    assert client.get(rate_url(world, world.city)).status_code == 404
    response = client.post(rate_url(world, world.city), {criterion_field(world): "99"})
    assert response.status_code == 404
    assert not Rating.objects.filter(project=world.city).exists()


def test_a_reviewer_never_rates_the_branch_they_belong_to_but_may_rate_up_the_tree(login, org, world):
    member = UserFactory(
        username="t-member",
        role="reviewer",
        unit=org.station,
        branch=org.station_branch,
        department=org.department,
    )
    client = login(member)
    assert client.post(rate_url(world, world.station), {criterion_field(world): "99"}).status_code == 404
    # The county company is the station's parent, not part of the station's subtree.
    assert client.post(rate_url(world, world.county), {criterion_field(world): "75"}).status_code == 302


def test_the_service_refuses_a_conflict_even_when_called_directly(org, world):
    assignment = Assignment.objects.get(project=world.city)
    with pytest.raises(services.PermissionDenied):
        services.submit_rating(
            user=org.reviewer, assignment=assignment, values={world.round.criteria.get().pk: 90}
        )


def test_another_departments_project_is_not_found(login, org, world):
    outsider = UserFactory(
        username="t-outsider", role="reviewer", unit=org.company, department=DepartmentFactory()
    )
    assert login(outsider).get(rate_url(world, world.county)).status_code == 404


def test_changing_a_rating_needs_a_reason_that_is_kept_in_its_history(login, org, world):
    client = login(org.reviewer)
    client.post(rate_url(world, world.county), {criterion_field(world): "80"})
    rating = Rating.objects.get(project=world.county)
    response = client.post(
        rate_url(world, world.county), {criterion_field(world): "70", "version": rating.version}
    )
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    response = client.post(
        rate_url(world, world.county),
        {criterion_field(world): "70", "reason": "复核后下调", "version": rating.version},
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.score == Decimal("70.00")
    assert [h.history_change_reason for h in rating.history.order_by("history_date")][-1] == "复核后下调"
    assert [h.score for h in rating.history.order_by("history_date")] == [Decimal("80.00"), Decimal("70.00")]


def test_scores_out_of_the_rubric_range_are_refused_next_to_the_field(login, org, world):
    response = login(org.reviewer).post(rate_url(world, world.county), {criterion_field(world): "101"})
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_a_rubric_of_several_weighted_criteria_gives_a_weighted_score_on_0_to_100(login, org, world):
    extra = world.round.criteria.create(name="特色", weight=3, min_score=0, max_score=10, order=2)
    first = world.round.criteria.exclude(pk=extra.pk).get()
    response = login(org.reviewer).post(
        rate_url(world, world.county), {f"criterion_{first.pk}": "60", f"criterion_{extra.pk}": "10"}
    )
    assert response.status_code == 302
    # (1 x 0.60 + 3 x 1.00) / 4 x 100
    assert Rating.objects.get().score == Decimal("90.00")


def test_other_raters_scores_stay_hidden_until_the_window_closes_and_the_rater_has_rated(login, org, world):
    other = UserFactory(username="t-rev3", role="reviewer", unit=org.city, department=org.department)
    services.submit_rating(
        user=other,
        assignment=Assignment.objects.get(project=world.station),
        values={world.round.criteria.get().pk: Decimal("61")},
        comment="他人评语",
    )
    client = login(org.reviewer)
    page = client.get(f"/projects/{world.station.pk}/").content.decode()
    assert "他人评语" not in page and "61.00" not in page
    assert 'data-testid="scores-hidden"' in page
    assert "他人评语" not in client.get("/projects/ratings/").content.decode()

    services.submit_rating(
        user=org.reviewer,
        assignment=Assignment.objects.get(project=world.station),
        values={world.round.criteria.get().pk: Decimal("81")},
    )
    assert (
        "他人评语" not in client.get(f"/projects/{world.station.pk}/").content.decode()
    )  # window still open

    services.close_round(rating_round=world.round, user=org.admin)
    page = client.get(f"/projects/{world.station.pk}/").content.decode()
    assert "他人评语" in page and "61.00" in page
    # Both raters are of one department: its score is their mean, 71.
    assert 'data-testid="rating-figures"' in page and "71.00" in page


def test_a_closed_window_refuses_ratings_with_a_clear_message(login, org, world):
    client = login(org.reviewer)
    client.post(rate_url(world, world.county), {criterion_field(world): "80"})
    services.close_round(rating_round=world.round, user=org.admin)
    response = client.post(rate_url(world, world.county), {criterion_field(world): "95", "reason": "改"})
    assert response.status_code == 400
    assert f"{world.round}已截止，评分不能再修改。" in response.content.decode()
    assert Rating.objects.get().score == Decimal("80.00")


def test_no_open_round_says_so(login, org, world):
    RatingRound.objects.update(status=RatingRound.Status.CLOSED)
    page = login(org.reviewer).get("/projects/queue/").content.decode()
    assert 'data-testid="no-open-round"' in page


@pytest.mark.parametrize("role", ["admin", "staff", "secretary"])
def test_only_reviewers_have_a_queue(login, org, world, role):
    assert login(getattr(org, role)).get("/projects/queue/").status_code == 403


def test_the_ratings_list_filters_and_exports_exactly_the_filtered_rows(login, org, world):
    import csv
    import io

    services.submit_rating(
        user=org.reviewer,
        assignment=Assignment.objects.get(project=world.county),
        values={world.round.criteria.get().pk: 70},
    )
    services.submit_rating(
        user=world.county_reviewer,
        assignment=Assignment.objects.get(project=world.city),
        values={world.round.criteria.get().pk: 90},
    )
    client = login(org.admin)
    page = client.get("/projects/ratings/", {"unit": org.county.pk}).content.decode()
    assert "county项目" in page and "city项目" not in page
    response = client.get("/projects/ratings/", {"unit": org.county.pk, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["county项目"] and rows[1][6] == "70.00"
    # A reviewer lists only their own ratings.
    page = login(org.reviewer).get("/projects/ratings/").content.decode()
    assert "county项目" in page and "city项目" not in page


@pytest.mark.parametrize(
    "junk", [{"round": "x"}, {"needs_review": "maybe"}, {"unit": "-1"}, {"ordering": "?"}]
)
def test_junk_filter_values_never_break_the_ratings_list(login, org, world, junk):
    assert login(org.admin).get("/projects/ratings/", junk).status_code in (200, 400)
