"""No lost updates: two people edit the same visit (or project) at once; the second save is
refused with a clear message and the first one's values stay. Each accepted save leaves an audit
entry naming who made it, with the old and new values."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.db.models.signals import pre_save
from django.test import Client
from django.utils import translation

from branchtrack.web.concurrency import StaleEditError
from projects.models import Rating
from supervision.models import Visit
from tests.security.forms import loaded_version, visit_post_data
from tests.security.world import build_world


@pytest.fixture
def world(org):
    return build_world(org)


def stale_message() -> str:
    with translation.override("zh-hans"):
        return StaleEditError().message


def open_edit_page(user, url: str) -> tuple[Client, int]:
    client = Client()
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200
    return client, loaded_version(page.content.decode())


def test_the_second_of_two_simultaneous_visit_edits_is_refused(world):
    visit = world.county_visit
    url = f"/supervision/visits/{visit.pk}/edit/"
    first, first_version = open_edit_page(world.staff, url)
    second, second_version = open_edit_page(world.unit_staff, url)
    assert first_version == second_version

    saved = first.post(
        url, visit_post_data(visit.campaign, branch=visit.branch, visitors="王芳", version=first_version)
    )
    assert saved.status_code == 302

    refused = second.post(
        url, visit_post_data(visit.campaign, branch=visit.branch, visitors="赵六", version=second_version)
    )
    assert refused.status_code == 400
    assert stale_message() in refused.content.decode()
    visit.refresh_from_db()
    assert visit.visitors == "王芳" and visit.version == first_version + 1

    # After reloading, the second person's edit goes through.
    second, reloaded = open_edit_page(world.unit_staff, url)
    again = second.post(
        url, visit_post_data(visit.campaign, branch=visit.branch, visitors="赵六", version=reloaded)
    )
    assert again.status_code == 302
    visit.refresh_from_db()
    assert visit.visitors == "赵六"


def test_a_stale_visit_edit_is_refused_in_english_too(world):
    visit = world.county_visit
    url = f"/supervision/visits/{visit.pk}/edit/"
    client, version = open_edit_page(world.staff, url)
    Visit.objects.filter(pk=visit.pk).update(version=version + 1)  # someone saved meanwhile
    client.cookies["django_language"] = "en"
    refused = client.post(url, visit_post_data(visit.campaign, branch=visit.branch, version=version))
    assert refused.status_code == 400
    assert "Someone else saved this record after you opened it" in refused.content.decode()


def test_each_visit_edit_is_in_the_audit_trail_with_who_and_what(world):
    visit = world.county_visit
    url = f"/supervision/visits/{visit.pk}/edit/"
    client, version = open_edit_page(world.unit_staff, url)
    data = visit_post_data(visit.campaign, branch=visit.branch, visitors="赵六", version=version)
    assert client.post(url, data).status_code == 302
    latest = visit.history.latest()
    assert latest.history_user == world.unit_staff and latest.visitors == "赵六"

    admin = Client()
    admin.force_login(world.admin)
    trail = admin.get(f"/audit/supervision.visit/{visit.pk}/").content.decode()
    assert "t-unitstaff" in trail and "<del>王芳</del> → <ins>赵六</ins>" in trail
    scores = admin.get("/audit/", {"model": "supervision.visitscore", "user": "t-unitstaff"}).content.decode()
    assert scores.count('data-testid="audit-entry"') == 0  # unchanged scores are not rewritten


def project_post_data(project, **changes) -> dict:
    data = {
        "title": project.title,
        "central_item": project.central_item,
        "departments": [d.pk for d in project.departments.all()],
        "indicator_name": project.indicator_name,
        "indicator_unit": project.indicator_unit,
        "baseline": project.baseline,
        "target": project.target,
        "actual": project.actual if project.actual is not None else "",
        "description": project.description,
        "status": project.status,
        "reason": "核对数据",
    }
    data.update(changes)
    return data


def test_the_second_of_two_simultaneous_project_edits_is_refused(world):
    project = world.city_project
    url = f"/projects/{project.pk}/edit/"
    secretary, secretary_version = open_edit_page(world.secretary, url)
    admin, admin_version = open_edit_page(world.admin, url)

    saved = secretary.post(url, project_post_data(project, title="书记改的标题", version=secretary_version))
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    refused = admin.post(url, project_post_data(project, title="管理员改的标题", version=admin_version))
    assert refused.status_code == 400
    assert stale_message() in refused.content.decode()
    project.refresh_from_db()
    assert project.title == "书记改的标题"
    assert project.history.latest().history_user == world.secretary


def test_the_stale_message_is_translated():
    with translation.override("zh-hans"):
        assert "其他人保存了这条记录" in StaleEditError().message


def test_a_submitted_rating_names_its_rater_in_the_audit_trail(world):
    reviewer = Client()
    reviewer.force_login(world.reviewer)
    rating_round, project = world.rating_round, world.county_project
    scores = {f"criterion_{c.pk}": "8" for c in rating_round.criteria.all()}
    response = reviewer.post(f"/projects/rounds/{rating_round.pk}/rate/{project.pk}/", scores)
    assert response.status_code == 302
    rating = Rating.objects.get(round=rating_round, project=project, rater=world.reviewer)
    assert rating.history.latest().history_user == world.reviewer
    admin = Client()
    admin.force_login(world.admin)
    trail = admin.get(f"/audit/projects.rating/{rating.pk}/").content.decode()
    assert "t-reviewer" in trail


def post_at_once(posts: list[tuple[Client, str, dict]], *, meet_in_save_of) -> list:
    """Send the posts from threads at the same moment, as two browsers would.

    The saves of `meet_in_save_of` wait for each other (up to a second) in pre_save, after each
    request has read the stored version: the two transactions overlap for sure. Where the database
    makes the second one wait for the first (row lock, or SQLite's write lock), the first one meets
    nobody and goes on after the wait.
    """
    barrier = threading.Barrier(len(posts))

    def meet(sender, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)

    def send(client, url, data):
        try:
            return client.post(url, data)
        finally:
            connections.close_all()

    pre_save.connect(meet, sender=meet_in_save_of, weak=False)
    try:
        with ThreadPoolExecutor(max_workers=len(posts)) as pool:
            return [future.result() for future in [pool.submit(send, *post) for post in posts]]
    finally:
        pre_save.disconnect(meet, sender=meet_in_save_of)


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_visit_at_the_same_moment_give_one_save_and_one_stale_message(world):
    # On SQLite (the demo) the second save used to fail with "database is locked": a 503 page.
    visit = world.county_visit
    url = f"/supervision/visits/{visit.pk}/edit/"
    first, first_version = open_edit_page(world.staff, url)
    second, second_version = open_edit_page(world.unit_staff, url)

    responses = post_at_once(
        [
            (
                first,
                url,
                visit_post_data(visit.campaign, branch=visit.branch, visitors="王芳", version=first_version),
            ),
            (
                second,
                url,
                visit_post_data(visit.campaign, branch=visit.branch, visitors="赵六", version=second_version),
            ),
        ],
        meet_in_save_of=Visit,
    )

    assert sorted(response.status_code for response in responses) == [302, 400]
    saved, refused = sorted(responses, key=lambda response: response.status_code)
    assert stale_message() in refused.content.decode()
    visit.refresh_from_db()
    winner = "王芳" if saved is responses[0] else "赵六"
    assert visit.visitors == winner and visit.version == first_version + 1
