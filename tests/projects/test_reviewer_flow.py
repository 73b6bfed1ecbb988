"""The reviewer's flow: "save and next" keeps the queue's filter, a countdown, guidance per score band."""

import pytest

from projects import services
from projects.models import Assignment, Rating
from tests.factories import BranchFactory
from tests.projects.factories import BranchProjectFactory
from tests.responses import shown


@pytest.fixture
def queue(org, world):
    """A third project in the reviewer's queue (county unit, after `county` by branch code)."""
    extra = BranchProjectFactory(
        branch=BranchFactory(unit=org.county, code="Z-LAST"), departments=[org.department], title="extra项目"
    )
    Assignment.objects.create(round=world.round, project=extra, department=org.department)
    world.extra = extra
    return world


def rate_url(world, project, query=""):
    return f"/projects/rounds/{world.round.pk}/rate/{project.pk}/{query}"


def test_save_and_next_opens_the_next_unrated_project_and_keeps_the_filter(login, org, queue):
    client = login(org.reviewer)
    field = f"criterion_{queue.round.criteria.get().pk}"
    # In the "not rated yet" queue, the station project is rated already: it is skipped.
    services.submit_rating(
        user=org.reviewer,
        assignment=Assignment.objects.get(project=queue.station),
        values={queue.round.criteria.get().pk: 70},
    )
    queue_page = client.get(f"/projects/queue/?round={queue.round.pk}&show=todo").content.decode()
    assert rate_url(queue, queue.county, "?show=todo") in queue_page
    response = client.post(rate_url(queue, queue.county, "?show=todo"), {field: "80", "save_next": "1"})
    assert response.status_code == 302
    assert response["Location"] == rate_url(queue, queue.extra, "?show=todo")
    # The last one: nothing is left unrated, so back to the filtered queue.
    response = client.post(rate_url(queue, queue.extra, "?show=todo"), {field: "75", "save_next": "1"})
    assert response["Location"] == f"/projects/queue/?round={queue.round.pk}&show=todo"
    assert Rating.objects.filter(rater=org.reviewer).count() == 3


def test_plain_save_returns_to_the_queue_with_its_filter(login, org, queue):
    client = login(org.reviewer)
    field = f"criterion_{queue.round.criteria.get().pk}"
    response = client.post(rate_url(queue, queue.county, "?show=review"), {field: "80"})
    assert response["Location"] == f"/projects/queue/?round={queue.round.pk}&show=review"
    response = client.post(rate_url(queue, queue.extra, "?show=junk"), {field: "80"})
    assert response["Location"] == f"/projects/queue/?round={queue.round.pk}"


def test_the_queue_and_rating_page_count_down_to_the_windows_end(login, org, queue):
    client = login(org.reviewer)
    for url in (f"/projects/queue/?round={queue.round.pk}", rate_url(queue, queue.county)):
        page = client.get(url).content.decode()
        assert 'data-testid="countdown"' in page and "评价窗口将于" in page and "js/countdown.js" in page


def test_guidance_per_score_band_is_edited_on_the_rubric_and_shown_beside_the_score(login, org, queue):
    admin = login(org.admin)
    criterion = queue.round.criteria.get()
    url = f"/projects/rounds/{queue.round.pk}/rubric/"
    field = f"criterion_{criterion.pk}-guidance"
    response = admin.post(url, {field: "90-100 措施具体"})
    assert response.status_code == 400
    assert (
        shown('Line %(line)s: write a band as "low-high: meaning", e.g. "90-100: clear results".')
        % {"line": 1}
        in response.content.decode()
    )
    response = admin.post(url, {field: "80-100: 好\n85-90: 重叠"})
    assert response.status_code == 400
    assert "85-90" in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.guidance == []
    response = admin.post(url, {field: "90-100：措施具体、成效突出\n0-59: 关联不明确"})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.guidance == [
        {"low": 90, "high": 100, "text": "措施具体、成效突出"},
        {"low": 0, "high": 59, "text": "关联不明确"},
    ]
    page = login(org.reviewer).get(rate_url(queue, queue.county)).content.decode()
    help_text = page.split(f'id="id_criterion_{criterion.pk}"')[1].split("</small>")[0]
    assert "90–100: 措施具体、成效突出" in help_text and "0–59: 关联不明确" in help_text
