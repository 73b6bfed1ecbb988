"""Property-based tests of the visit and rating forms: whatever is posted, no 500; a refused post
saves nothing; an accepted one saves only values inside the rules."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.models import Rating
from supervision.models import ChecklistItem, Visit, VisitScore
from tests.security.world import build_world

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", "8", "10", "0", "-0", "10.5", "7.25", "1e3", "NaN", "Infinity", "８", "٨", "1,5"]),
    text,
)
dates = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2020-06-01", "2020-02-30", "2019-12-31", "2021-01-01", "06/01/2020", ""]),
    text,
)


@pytest.fixture
def world(org):
    return build_world(org)


def visit_counts() -> tuple[int, int, int]:
    return Visit.objects.count(), VisitScore.objects.count(), Visit.history.count()


@FUZZ
@given(
    branch=st.one_of(st.sampled_from(["county", "city", "station"]), text),
    visited_on=dates,
    visitors=text,
    comment=text,
    score=numbers,
    other_scores=numbers,
    remark=text,
    action=st.sampled_from(["complete", "save", "", "delete", "complete\x00"]),
)
def test_the_visit_form_never_fails_and_saves_only_valid_visits(
    client, world, branch, visited_on, visitors, comment, score, other_scores, remark, action
):
    client.force_login(world.unit_staff)
    campaign = world.campaign
    branches = {
        "county": world.county_branch.pk,
        "city": world.city_branch.pk,
        "station": world.station_branch.pk,
    }
    items = list(ChecklistItem.objects.filter(area__template=campaign.template).order_by("pk"))
    data = {
        "branch": branches.get(branch, branch),
        "visited_on": visited_on,
        "visitors": visitors,
        "overall_comment": comment,
        "action": action,
    }
    for index, item in enumerate(items):
        data[f"score_{item.pk}"] = score if index == 0 else other_scores
        data[f"remark_{item.pk}"] = remark
    before = visit_counts()
    response = client.post(f"/supervision/campaigns/{campaign.pk}/visits/new/", data)
    assert response.status_code in (302, 400, 404), response.status_code
    if response.status_code != 302:
        assert visit_counts() == before
        return
    visit = Visit.objects.order_by("-pk").first()
    assert visit.branch_id in (world.county_branch.pk, world.station_branch.pk)  # never a foreign branch
    assert campaign.starts_on <= visit.visited_on <= campaign.ends_on
    for saved in visit.scores.select_related("item"):
        assert saved.item.min_score <= saved.score <= saved.item.max_score
    if visit.is_completed:
        assert visit.scores.count() == len(items)


@FUZZ
@given(
    version=st.one_of(st.integers(min_value=-3, max_value=10**12).map(str), text),
    visited_on=dates,
    score=numbers,
)
def test_the_visit_edit_form_never_fails_and_refuses_stale_or_bad_input(
    client, world, version, visited_on, score
):
    client.force_login(world.unit_staff)
    visit = world.county_visit
    items = ChecklistItem.objects.filter(area__template=visit.template)
    data = {"visited_on": visited_on, "visitors": "王芳", "overall_comment": "", "version": version}
    data.update({f"score_{item.pk}": score for item in items})
    stored = Visit.objects.get(pk=visit.pk)
    response = client.post(f"/supervision/visits/{visit.pk}/edit/", data)
    assert response.status_code in (302, 400), response.status_code
    after = Visit.objects.get(pk=visit.pk)
    if response.status_code != 302:
        assert (after.version, after.visited_on, after.visitors) == (
            stored.version,
            stored.visited_on,
            stored.visitors,
        )
    else:
        assert after.version == stored.version + 1


@FUZZ
@given(score=numbers, comment=text, reason=text, version=st.one_of(st.just(""), text))
def test_the_rating_form_never_fails_and_saves_only_valid_ratings(
    client, world, score, comment, reason, version
):
    client.force_login(world.reviewer)
    rating_round, project = world.rating_round, world.county_project
    url = f"/projects/rounds/{rating_round.pk}/rate/{project.pk}/"
    data = {"comment": comment, "reason": reason, "version": version}
    data.update({f"criterion_{criterion.pk}": score for criterion in rating_round.criteria.all()})
    before = list(Rating.objects.values_list("pk", "score", "version"))
    history = Rating.history.count()
    response = client.post(url, data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code != 302:
        assert list(Rating.objects.values_list("pk", "score", "version")) == before
        assert Rating.history.count() == history
        return
    rating = Rating.objects.get(round=rating_round, project=project, rater=world.reviewer)
    for criterion in rating_round.criteria.all():
        assert criterion.min_score <= Decimal(rating.rubric_scores[str(criterion.pk)]) <= criterion.max_score


@pytest.mark.parametrize("project", ["city_project"])
def test_a_rating_of_a_conflicted_project_is_refused_whatever_is_posted(client, world, project):
    client.force_login(world.reviewer)
    target = getattr(world, project)
    url = f"/projects/rounds/{world.rating_round.pk}/rate/{target.pk}/"
    data = {f"criterion_{c.pk}": "8" for c in world.rating_round.criteria.all()}
    assert client.post(url, data).status_code == 404
    assert not Rating.objects.filter(project=target).exists()
