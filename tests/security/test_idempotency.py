"""Exactly once: every create form carries an idempotency key; the same key sent again (a double
tap, a retry after a lost answer, the offline queue replayed) answers the first result and saves
nothing more, also when the sends arrive at the same time (PostgreSQL, real threads)."""

import re
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from branchtrack.web.concurrency import StaleEditError
from pairings.models import LiaisonGroup, Pairing, PairingActivity, Theme
from projects.models import BranchProject, Rating, RatingRound
from supervision.models import Feedback, Finding, MeetingAttendance, Visit, VisitScore
from tests.factories import TEST_PASSWORD
from tests.pairings.factories import ExternalOrgFactory
from tests.projects.factories import RatingRoundFactory
from tests.security.forms import visit_post_data
from tests.security.world import build_world
from tests.supervision.factories import CampaignFactory

KEY = re.compile(r'name="idempotency_key" value="([0-9a-f-]{36})"')

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions need PostgreSQL (SQLite serialises writes)",
)


def key_on(page) -> str:
    found = KEY.search(page.content.decode())
    assert found, "the form carries no idempotency key"
    return found.group(1)


def post_twice(client, url, data) -> tuple:
    first, second = client.post(url, data), client.post(url, data)
    return first, second


@pytest.fixture
def world(org):
    return build_world(org)


def test_a_visit_sent_twice_with_one_key_is_saved_once_and_both_answers_are_the_same(login, org, world):
    client = login(org.staff)
    url = f"/supervision/campaigns/{world.campaign.pk}/visits/new/"
    key = key_on(client.get(url))
    before = Visit.objects.count(), VisitScore.objects.count(), Visit.history.count()
    data = visit_post_data(world.campaign, branch=org.station_branch, idempotency_key=key)

    first, second = post_twice(client, url, data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    after = Visit.objects.count(), VisitScore.objects.count(), Visit.history.count()
    assert after == (before[0] + 1, before[1] + 9, before[2] + 1)
    assert str(Visit.objects.get(idempotency_key=key).pk) in first["Location"]


def test_two_forms_make_two_visits(login, org, world):
    client = login(org.staff)
    url = f"/supervision/campaigns/{world.campaign.pk}/visits/new/"
    keys = {key_on(client.get(url)), key_on(client.get(url))}
    assert len(keys) == 2
    for key in keys:
        client.post(url, visit_post_data(world.campaign, branch=org.station_branch, idempotency_key=key))
    assert Visit.objects.filter(idempotency_key__in=keys).count() == 2


def test_a_key_used_by_someone_else_is_refused_not_answered_with_their_visit(login, org, world):
    url = f"/supervision/campaigns/{world.campaign.pk}/visits/new/"
    key = str(uuid.uuid4())
    login(org.staff).post(
        url, visit_post_data(world.campaign, branch=org.station_branch, idempotency_key=key)
    )
    response = login(org.unit_staff).post(
        url, visit_post_data(world.campaign, branch=org.station_branch, idempotency_key=key)
    )
    assert response.status_code == 400
    assert Visit.objects.filter(idempotency_key=key).get().created_by == org.staff


def test_a_finding_sent_twice_is_saved_once(login, org, world):
    client = login(org.staff)
    url = f"/supervision/visits/{world.county_visit.pk}/"
    key = key_on(client.get(url))
    data = {"kind": "problem", "title": "台账不全", "owner_unit": org.county.pk, "due_on": "2020-09-30"}
    first, second = post_twice(client, url, {**data, "idempotency_key": key})
    assert first.status_code == second.status_code == 302
    assert Finding.objects.filter(idempotency_key=key).count() == 1
    assert Finding.objects.filter(title="台账不全").count() == 1


@pytest.mark.parametrize(
    "url, model, data",
    [
        (
            "/supervision/meetings/new/",
            MeetingAttendance,
            lambda w: {
                "unit": w.org.county.pk,
                "held_on": "2020-05-01",
                "title": "例会",
                "attendees": "王芳",
            },
        ),
        (
            "/supervision/feedback/new/",
            Feedback,
            lambda w: {"campaign": w.campaign.pk, "unit": w.org.county.pk, "summary": "反馈意见"},
        ),
        (
            "/pairings/new/",
            Pairing,
            lambda w: {
                "branch": w.org.county_branch.pk,
                "external_org": ExternalOrgFactory().pk,
                "themes": [Theme.objects.first().pk],
                "start_date": "2020-03-01",
                "status": "active",
            },
        ),
        (
            "/pairings/{county_pairing}/activities/new/",
            PairingActivity,
            lambda w: {
                "date": "2020-05-01",
                "title": "联合巡线",
                "description": "两夜拆除杆塔",
                "our_people": "3",
                "our_party_members": "2",
                "their_people": "2",
                "their_party_members": "1",
                "outcome-TOTAL_FORMS": "0",
                "outcome-INITIAL_FORMS": "0",
            },
        ),
        (
            "/pairings/liaison/new/",
            LiaisonGroup,
            lambda w: {
                "branch": w.org.county_branch.pk,
                "name": "乡村联络群",
                "channel": "wechat",
                "start_date": "2020-03-01",
                "village_lines": "石桥村",
                "cadre_count": "3",
            },
        ),
    ],
    ids=["meeting", "feedback", "pairing", "activity", "liaison group"],
)
def test_every_create_form_saves_once_per_key(login, org, world, url, model, data):
    client = login(org.staff)
    url = url.format(county_pairing=world.county_pairing.pk)
    key = key_on(client.get(url))
    before = model.objects.count()
    first, second = post_twice(client, url, {**data(world), "idempotency_key": key})
    assert first.status_code == 302, first.content.decode()[:2000]
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert model.objects.count() == before + 1
    assert model.objects.filter(idempotency_key=key).count() == 1


def test_a_new_project_sent_twice_answers_the_same_project(login, org, world):
    RatingRoundFactory(year=2021, status=RatingRound.Status.OPEN)
    client = login(org.secretary)
    page = client.get("/projects/new/")
    key = key_on(page)
    data = {
        "title": "配网抢修提速",
        "central_item": "供电可靠性",
        "departments": [org.department.pk],
        "indicator_name": "抢修时长",
        "indicator_unit": "分钟",
        "baseline": "90",
        "target": "60",
        "description": "",
        "idempotency_key": key,
    }
    first, second = post_twice(client, "/projects/new/", data)
    assert first.status_code == 302, first.content.decode()[:3000]
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert BranchProject.objects.filter(branch=org.city_branch, year=2021).count() == 1


# --- a first rating made in two tabs (issue 14, item 10) --------------------------------------


def rate_url(world, project) -> str:
    return f"/projects/rounds/{world.rating_round.pk}/rate/{project.pk}/"


def test_a_first_rating_made_in_two_tabs_refuses_the_second_instead_of_replacing_the_first(login, org, world):
    criterion = f"criterion_{world.rating_round.criteria.get().pk}"
    client = login(org.reviewer)
    first_tab = client.get(rate_url(world, world.county_project)).content.decode()
    second_tab = client.get(rate_url(world, world.county_project)).content.decode()
    versions = [re.search(r'name="version" value="(\d+)"', tab).group(1) for tab in (first_tab, second_tab)]
    assert versions == ["0", "0"]

    assert (
        client.post(rate_url(world, world.county_project), {criterion: "80", "version": "0"}).status_code
        == 302
    )
    second = client.post(rate_url(world, world.county_project), {criterion: "60", "version": "0"})

    assert second.status_code == 400
    with translation.override("zh-hans"):
        assert StaleEditError().message in second.content.decode()
    rating = Rating.objects.get(project=world.county_project)
    assert str(rating.score) == "80.00" and rating.history.count() == 1


def test_the_same_first_rating_sent_twice_is_one_rating_without_an_error(login, org, world):
    criterion = f"criterion_{world.rating_round.criteria.get().pk}"
    client = login(org.reviewer)
    first, second = post_twice(
        client, rate_url(world, world.county_project), {criterion: "80", "version": "0"}
    )
    assert first.status_code == second.status_code == 302
    assert Rating.objects.filter(project=world.county_project).count() == 1


# --- at the same time (PostgreSQL) -----------------------------------------------------------


def send_at_once(count: int, send) -> list:
    """Run `send(i)` in `count` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = send(i)
        except Exception as exc:  # the assertion below names it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_three_identical_parallel_posts_make_one_visit_one_problem_one_activity(org):
    world = build_world(org)
    campaign = CampaignFactory(scope=[org.company])
    visit_url = f"/supervision/campaigns/{campaign.pk}/visits/new/"
    visit_data = visit_post_data(campaign, branch=org.station_branch, idempotency_key=str(uuid.uuid4()))
    problem_data = {
        "kind": "problem",
        "title": "并发问题",
        "owner_unit": org.county.pk,
        "due_on": "2020-09-30",
        "idempotency_key": str(uuid.uuid4()),
    }
    activity_url = f"/pairings/{world.county_pairing.pk}/activities/new/"
    activity_data = {
        "date": "2020-05-01",
        "title": "并发活动",
        "description": "同时提交",
        "our_people": "1",
        "our_party_members": "1",
        "their_people": "1",
        "their_party_members": "0",
        "outcome-TOTAL_FORMS": "0",
        "outcome-INITIAL_FORMS": "0",
        "idempotency_key": str(uuid.uuid4()),
    }
    posts = [
        (visit_url, visit_data),
        (f"/supervision/visits/{world.county_visit.pk}/", problem_data),
        (activity_url, activity_data),
    ]
    for url, data in posts:

        def send(_i, url=url, data=data):
            client = Client()
            assert client.login(username=org.staff.username, password=TEST_PASSWORD)
            response = client.post(url, data)
            return response.status_code, response.get("Location")

        results = send_at_once(3, send)
        assert all(isinstance(r, tuple) for r in results), results
        assert {status for status, _ in results} == {302}, results
        assert len({location for _, location in results}) == 1, results

    assert Visit.objects.filter(campaign=campaign).count() == 1
    assert VisitScore.objects.filter(visit__campaign=campaign).count() == 9
    assert Finding.objects.filter(title="并发问题").count() == 1
    assert PairingActivity.objects.filter(title="并发活动").count() == 1


def test_a_meeting_key_used_by_someone_else_is_refused_next_to_the_form(login, org, world):
    key = str(uuid.uuid4())
    data = {
        "unit": org.county.pk,
        "held_on": "2020-05-01",
        "title": "例会",
        "attendees": "王芳",
        "idempotency_key": key,
    }
    assert login(org.staff).post("/supervision/meetings/new/", data).status_code == 302
    response = login(org.unit_staff).post("/supervision/meetings/new/", data)
    assert response.status_code == 400
    assert MeetingAttendance.objects.get(idempotency_key=key).created_by == org.staff


def test_create_once_does_not_hide_another_constraints_failure(org):
    from django.db import IntegrityError

    from branchtrack.web.idempotency import create_once

    def clash():
        raise IntegrityError("another constraint")

    with pytest.raises(IntegrityError):
        create_once(MeetingAttendance, key=uuid.uuid4(), create=clash)
