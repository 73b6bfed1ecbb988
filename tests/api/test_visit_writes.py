"""Logging and editing a visit through the API: the visit page's rules and messages, once per client id."""

import threading
import uuid

import pytest
from django.db import connection

from api.models import ApiToken
from supervision.models import ChecklistItem, Finding, Visit
from tests.api.world import build_api_world


@pytest.fixture
def api_world(org):
    return build_api_world(org)


def _items(campaign):
    return list(
        ChecklistItem.objects.filter(area__template=campaign.template).order_by("area__order", "order")
    )


def _visit_body(world, *, branch, complete=True, **changes):
    campaign = world.campaign
    body = {
        "client_id": str(uuid.uuid4()),
        "campaign": campaign.pk,
        "branch": branch.pk,
        "visited_on": "2020-06-15",
        "visitors": "王芳, 李强",
        "overall_comment": "整体良好",
        "complete": complete,
        "scores": [
            {"item": item.pk, "score": str(item.max_score), "remark": ""} for item in _items(campaign)
        ],
        "findings": [
            {"client_id": str(uuid.uuid4()), "kind": "problem", "title": "台账不全", "due_on": "2020-07-31"},
            {"kind": "good_practice", "title": "党员责任区", "description": "挂牌到岗"},
        ],
        "location": {"latitude": "30.123456", "longitude": "120.654321", "accuracy_m": 15},
    }
    body.update(changes)
    return body


def test_office_staff_log_a_completed_visit_with_its_scores_and_findings(api_world, token_client, org):
    client = token_client(org.unit_staff, ApiToken.Access.WRITE)
    body = _visit_body(api_world, branch=org.county_branch)
    response = client.post("/api/v1/visits/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    answer = response.json()
    visit = Visit.objects.get(pk=answer["id"])
    assert (visit.branch, visit.created_by, visit.status, str(visit.idempotency_key)) == (
        org.county_branch,
        org.unit_staff,
        Visit.Status.COMPLETED,
        body["client_id"],
    )
    assert [s["item"] for s in answer["scores"]] == sorted(item.pk for item in _items(api_world.campaign))
    assert sorted((f.kind, f.title) for f in visit.findings.all()) == [
        ("good_practice", "党员责任区"),
        ("problem", "台账不全"),
    ]
    assert str(visit.findings.get(kind="problem").idempotency_key) == body["findings"][0]["client_id"]
    assert (str(visit.latitude), visit.location_accuracy_m) == ("30.123456", 15)


def test_the_same_client_id_sent_again_answers_the_first_visit_and_stores_nothing_more(
    api_world, token_client, org
):
    client = token_client(org.unit_staff, ApiToken.Access.WRITE)
    body = _visit_body(api_world, branch=org.county_branch)
    first = client.post("/api/v1/visits/", body, content_type="application/json")
    again = client.post("/api/v1/visits/", {**body, "visitors": "另一个人"}, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["visitors"] == "王芳, 李强"
    assert Visit.objects.filter(idempotency_key=body["client_id"]).count() == 1
    assert Finding.objects.filter(visit_id=first.json()["id"]).count() == 2


def test_another_users_client_id_is_refused_and_shows_nothing_of_their_visit(api_world, token_client, org):
    body = _visit_body(api_world, branch=org.county_branch)
    token_client(org.unit_staff, ApiToken.Access.WRITE).post(
        "/api/v1/visits/", body, content_type="application/json"
    )
    response = token_client(org.staff, ApiToken.Access.WRITE).post(
        "/api/v1/visits/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "field": "client_id",
                "code": "invalid",
                "message": "This submission id belongs to another record.",
            }
        ]
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_sends_of_one_visit_store_it_once(org, token_client):
    world = build_api_world(org)
    body = _visit_body(world, branch=org.county_branch)
    client = token_client(org.unit_staff, ApiToken.Access.WRITE)
    statuses, barrier = [], threading.Barrier(4)

    def send():
        barrier.wait()
        try:
            statuses.append(client.post("/api/v1/visits/", body, content_type="application/json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses)[0] in (200, 201) and set(statuses) <= {200, 201}
    assert Visit.objects.filter(idempotency_key=body["client_id"]).count() == 1
    assert Finding.objects.filter(visit__idempotency_key=body["client_id"]).count() == 2


def test_a_branch_outside_the_callers_scope_is_refused_on_the_field(api_world, token_client, org):
    client = token_client(org.unit_staff, ApiToken.Access.WRITE)
    body = _visit_body(api_world, branch=org.city_branch)
    response = client.post(
        "/api/v1/visits/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "branch",
            "code": "invalid_choice",
            "message": "This branch is not in your scope for this campaign.",
        }
    ]
    assert not Visit.objects.filter(idempotency_key=body["client_id"]).exists()


def test_bad_scores_dates_and_findings_are_refused_on_their_fields_and_nothing_is_saved(
    api_world, token_client, org
):
    client = token_client(org.unit_staff, ApiToken.Access.WRITE)
    item = _items(api_world.campaign)[0]
    cases = {
        "scores.0.item": {"scores": [{"item": 999999, "score": "1"}]},
        f"scores.{item.pk}.score": {
            "scores": [{"item": item.pk, "score": str(item.max_score + 5)}],
            "complete": False,
        },
        "visited_on": {"visited_on": "2019-01-01"},
        "findings": {"findings": [{"kind": "problem", "title": "没有期限"}]},
        "campaign": {"campaign": 987654},
    }
    for field, change in cases.items():
        body = _visit_body(api_world, branch=org.county_branch, **change)
        response = client.post("/api/v1/visits/", body, content_type="application/json")
        assert response.status_code == 400, (field, response.content)
        assert field in [error["field"] for error in response.json()["errors"]], (field, response.json())
        assert not Visit.objects.filter(idempotency_key=body["client_id"]).exists()


def test_a_read_only_token_reviewers_and_secretaries_cannot_log_visits(api_world, token_client, org):
    body = _visit_body(api_world, branch=org.county_branch)
    for user, access in (
        (org.unit_staff, ApiToken.Access.READ),
        (org.reviewer, ApiToken.Access.WRITE),
        (org.secretary, ApiToken.Access.WRITE),
    ):
        response = token_client(user, access).post("/api/v1/visits/", body, content_type="application/json")
        assert response.status_code == 403, (user.role, access)
    assert not Visit.objects.filter(idempotency_key=body["client_id"]).exists()


def test_edit_a_visit_with_the_version_read_and_a_stale_version_is_a_conflict(api_world, token_client, org):
    client = token_client(org.unit_staff, ApiToken.Access.WRITE)
    created = client.post(
        "/api/v1/visits/",
        _visit_body(api_world, branch=org.county_branch, complete=False),
        content_type="application/json",
    ).json()
    edit = {
        "version": created["version"],
        "visited_on": "2020-06-16",
        "visitors": "王芳",
        "scores": [{"item": s["item"], "score": s["score"], "remark": "复核"} for s in created["scores"]],
        "complete": True,
    }
    response = client.put(f"/api/v1/visits/{created['id']}/", edit, content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["visitors"]) == ("completed", "王芳")
    assert {s["remark"] for s in response.json()["scores"]} == {"复核"}
    stale = client.put(
        f"/api/v1/visits/{created['id']}/", {**edit, "visitors": "李强"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert Visit.objects.get(pk=created["id"]).visitors == "王芳"


def test_editing_a_visit_outside_the_scope_is_404(api_world, token_client, org):
    client = token_client(org.unit_staff, ApiToken.Access.WRITE)
    visit = api_world.city_visit
    response = client.put(
        f"/api/v1/visits/{visit.pk}/",
        {"version": visit.version, "visited_on": "2020-06-16", "visitors": "x", "scores": []},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Visit.objects.get(pk=visit.pk).visitors == visit.visitors
