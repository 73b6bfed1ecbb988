"""The API's scope matrix: every role x every endpoint x an own and a foreign object.

Anonymous calls answer 401 and no data; a role the matching page refuses answers 403; an object
outside the caller's scope is missing from the list and answers 404 on its own.
"""

import pytest

from api.models import ApiToken
from tests.api.world import build_api_world

ROLES = ("admin", "unit_admin", "staff", "unit_staff", "reviewer", "secretary")
EVERYONE = set(ROLES)
OFFICE = {"admin", "unit_admin", "staff", "unit_staff"}
LOGGERS = OFFICE | {"secretary"}

# Which side each role sees by default: company-wide users both, the county's users the county,
# the city branch's secretary the city, a reviewer (no unit scope) nothing.
SIDES = {
    "admin": {"county", "city"},
    "staff": {"county", "city"},
    "unit_admin": {"county"},
    "unit_staff": {"county"},
    "secretary": {"city"},
    "reviewer": set(),
}

# endpoint -> (roles allowed, overrides of SIDES)
ENDPOINTS = {
    "units": (EVERYONE, {"reviewer": {"city"}}),
    "branches": (OFFICE, {}),
    "coverage": (OFFICE, {}),
    "visits": (EVERYONE, {}),
    "findings": (EVERYONE, {}),
    "meetings": (OFFICE, {}),
    # Feedback sent to a unit reaches its users; the reviewer's home unit is the city.
    "feedback": (EVERYONE, {"reviewer": {"city"}}),
    # A reviewer opens what their department rates, minus their own unit's branches (conflict).
    "projects": (EVERYONE, {"reviewer": {"county"}}),
    # Ratings: administrators in scope; a reviewer never another rater's score.
    "ratings": ({"admin", "unit_admin", "reviewer"}, {}),
    "tracking-entries": (OFFICE, {}),
    "pairings": (LOGGERS, {}),
    "activities": (LOGGERS, {}),
    "liaison-groups": (LOGGERS, {}),
}
UNSCOPED = {"campaigns": OFFICE, "rounds": EVERYONE, "tracking-lists": OFFICE, "outstanding-lists": OFFICE}


@pytest.fixture
def api_world(org):
    return build_api_world(org)


def _ids(response):
    assert response.status_code == 200, response.content
    body = response.json()
    return {row["id"] for row in body["results"]}


def test_anonymous_gets_401_and_no_data(api_world, client):
    for endpoint in sorted(ENDPOINTS) + sorted(UNSCOPED):
        response = client.get(f"/api/v1/{endpoint}/")
        assert response.status_code == 401, endpoint
        body = response.json()
        assert "results" not in body
        assert body["errors"][0]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
        objects = api_world.objects.get(endpoint)
        if objects:
            assert client.get(f"/api/v1/{endpoint}/{objects['county'].pk}/").status_code == 401, endpoint


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_scope(api_world, token_client, endpoint):
    allowed, overrides = ENDPOINTS[endpoint]
    objects = api_world.objects[endpoint]
    for role in ROLES:
        client = token_client(getattr(api_world, role))
        listed = client.get(f"/api/v1/{endpoint}/?page_size=500")
        if role not in allowed:
            assert listed.status_code == 403, role
            assert "results" not in listed.json()
            assert client.get(f"/api/v1/{endpoint}/{objects['county'].pk}/").status_code == 403, role
            continue
        visible = overrides.get(role, SIDES[role])
        ids = _ids(listed)
        for side, obj in objects.items():
            detail = client.get(f"/api/v1/{endpoint}/{obj.pk}/")
            if side in visible:
                assert obj.pk in ids, (role, side, "missing from the list")
                assert detail.status_code == 200, (role, side)
                assert detail.json()["id"] == obj.pk
            else:
                assert obj.pk not in ids, (role, side, "leaked into the list")
                assert detail.status_code == 404, (role, side)
                assert set(detail.json()) == {"errors"}


@pytest.mark.parametrize("endpoint", sorted(UNSCOPED))
def test_unscoped_lists_by_role(api_world, token_client, endpoint):
    for role in ROLES:
        response = token_client(getattr(api_world, role)).get(f"/api/v1/{endpoint}/")
        assert response.status_code == (200 if role in UNSCOPED[endpoint] else 403), role


@pytest.mark.parametrize("role", sorted(OFFICE))
def test_outstanding_list_shows_only_projects_in_scope(api_world, token_client, role):
    client = token_client(getattr(api_world, role))
    body = client.get(f"/api/v1/outstanding-lists/{api_world.outstanding.pk}/").json()
    expected = {getattr(api_world, f"{side}_project").pk for side in SIDES[role]}
    assert set(body["projects"]) == expected


def test_reviewer_sees_own_rating_but_never_another_raters_inside_the_window(api_world, token_client):
    from projects.models import Rating

    own = Rating.objects.create(
        round=api_world.rating_round,
        project=api_world.county_project,
        department=api_world.department,
        rater=api_world.reviewer,
        score=90,
    )
    client = token_client(api_world.reviewer)
    assert _ids(client.get("/api/v1/ratings/")) == {own.pk}
    assert client.get(f"/api/v1/ratings/{api_world.objects['ratings']['county'].pk}/").status_code == 404
    # No other route shows another rater's score: the project carries no scores at all.
    project = client.get(f"/api/v1/projects/{api_world.county_project.pk}/").json()
    assert "77.00" not in str(project)
    assert not [key for key in project if "score" in key or "aggregate" in key]


def test_session_is_scoped_like_a_token(api_world, login):
    client = login(api_world.unit_staff)
    ids = _ids(client.get("/api/v1/visits/"))
    assert ids == {api_world.county_visit.pk}


def test_filter_on_a_unit_outside_the_scope_is_400(api_world, token_client):
    client = token_client(api_world.unit_staff)
    response = client.get(f"/api/v1/visits/?unit={api_world.city.pk}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unit"


def test_service_token_sees_its_unit_subtree(api_world):
    from django.test import Client

    from api import services

    _token, secret = services.create_service_token(
        admin=api_world.admin, unit=api_world.county, name="大屏", access=ApiToken.Access.READ
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert _ids(client.get("/api/v1/visits/")) == {api_world.county_visit.pk}
    assert _ids(client.get("/api/v1/branches/")) == {api_world.county_branch.pk, api_world.station_branch.pk}
