"""The write endpoints call the apps' services: the same rules, the same messages, nothing half-saved."""

import datetime

import pytest

from api.models import ApiToken
from pairings.models import PairingActivity
from supervision.models import Finding
from tests.api.world import build_api_world


@pytest.fixture
def api_world(org):
    return build_api_world(org)


def test_resolve_a_problem_with_evidence(api_world, token_client):
    client = token_client(api_world.unit_staff, ApiToken.Access.WRITE)
    problem = api_world.county_problem
    response = client.post(
        f"/api/v1/findings/{problem.pk}/resolve/",
        {"resolution": "已整改", "evidence": "会议纪要 2020-7", "resolved_on": "2020-07-01"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "resolved"
    problem.refresh_from_db()
    assert (problem.status, problem.evidence, problem.resolved_on) == (
        "resolved",
        "会议纪要 2020-7",
        datetime.date(2020, 7, 1),
    )


def test_resolve_without_evidence_is_refused_on_the_field_in_the_callers_language(api_world, token_client):
    client = token_client(api_world.unit_staff, ApiToken.Access.WRITE)
    url = f"/api/v1/findings/{api_world.county_problem.pk}/resolve/"
    response = client.post(
        url, {"resolution": "已整改"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "evidence",
            "code": "invalid",
            "message": "A problem is resolved only with evidence of the fix: a text, a photo or a PDF.",
        }
    ]
    chinese = client.post(url, {"resolution": "已整改"}, content_type="application/json")
    assert chinese.json()["errors"][0]["message"] != response.json()["errors"][0]["message"]
    assert Finding.objects.get(pk=api_world.county_problem.pk).status == "open"


def test_resolve_with_a_photo(api_world, token_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = token_client(api_world.unit_staff, ApiToken.Access.WRITE)
    photo = SimpleUploadedFile("fix.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, content_type="image/png")
    response = client.post(
        f"/api/v1/findings/{api_world.county_problem.pk}/resolve/",
        {"resolution": "已整改", "evidence_file": photo},
    )
    assert response.status_code == 200, response.content
    assert response.json()["has_evidence_file"] is True


def test_resolving_is_scoped_role_checked_and_needs_a_write_token(api_world, token_client):
    url = f"/api/v1/findings/{api_world.city_problem.pk}/resolve/"
    body = {"resolution": "x", "evidence": "y"}
    assert (
        token_client(api_world.unit_staff, "write")
        .post(url, body, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        token_client(api_world.secretary, "write")
        .post(url, body, content_type="application/json")
        .status_code
        == 403
    )
    read_only = token_client(api_world.staff, "read").post(url, body, content_type="application/json")
    assert read_only.status_code == 403
    assert read_only.json()["errors"][0]["message"]
    assert Finding.objects.get(pk=api_world.city_problem.pk).status == "open"


def test_a_session_post_needs_the_csrf_token(api_world, org):
    from django.test import Client

    from tests.factories import TEST_PASSWORD

    client = Client(enforce_csrf_checks=True)
    client.login(username=org.unit_staff.username, password=TEST_PASSWORD)
    response = client.post(
        f"/api/v1/findings/{api_world.county_problem.pk}/resolve/",
        {"resolution": "x", "evidence": "y"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Finding.objects.get(pk=api_world.county_problem.pk).status == "open"


def test_log_a_joint_activity_with_outcomes(api_world, token_client):
    client = token_client(api_world.secretary, "write")
    response = client.post(
        f"/api/v1/pairings/{api_world.city_pairing.pk}/activities/",
        {
            "date": "2020-06-01",
            "title": "联合巡线",
            "description": "共同巡视线路",
            "our_people": 5,
            "our_party_members": 3,
            "their_people": 4,
            "their_party_members": 1,
            "outcomes": [{"label": "消除隐患", "value": "3", "unit_label": "处"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcomes"] == [{"label": "消除隐患", "value": "3.00", "unit_label": "处"}]
    activity = PairingActivity.objects.get(pk=body["id"])
    assert activity.created_by == api_world.secretary and activity.pairing == api_world.city_pairing


def test_activity_rules_of_the_page_apply(api_world, token_client):
    client = token_client(api_world.secretary, "write")
    before = PairingActivity.objects.count()
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        f"/api/v1/pairings/{api_world.city_pairing.pk}/activities/",
        {"date": future, "title": "x", "description": "y", "our_people": 1, "our_party_members": 2},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"date", "our_party_members"}
    assert PairingActivity.objects.count() == before


def test_activity_for_a_foreign_pairing_is_404(api_world, token_client):
    response = token_client(api_world.secretary, "write").post(
        f"/api/v1/pairings/{api_world.county_pairing.pk}/activities/",
        {"date": "2020-06-01", "title": "x", "description": "y"},
        content_type="application/json",
    )
    assert response.status_code == 404
