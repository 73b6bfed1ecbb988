"""The rating table: one row per project of the queue, each row saved on change as JSON with
optimistic locking per rating."""

import json

from projects.models import Rating
from tests.responses import shown


def row_url(world, project):
    return f"/projects/rounds/{world.round.pk}/rate/{project.pk}/row/"


def errors(response) -> list[str]:
    return [error["message"] for field in json.loads(response.content)["errors"].values() for error in field]


def test_the_table_lists_the_queue_with_one_input_per_criterion(login, org, world):
    page = login(org.reviewer).get(f"/projects/queue/table/?round={world.round.pk}").content.decode()
    criterion = world.round.criteria.get()
    assert page.count('data-testid="rating-row"') == 2  # county and station; city is the reviewer's own unit
    assert page.count(f'name="criterion_{criterion.pk}"') == 2 and "city项目" not in page
    assert 'src="/static/js/rating_table.js"' in page


def test_a_row_is_saved_then_changed_with_a_reason_and_a_stale_row_is_refused(login, org, world):
    client = login(org.reviewer)
    field = f"criterion_{world.round.criteria.get().pk}"
    response = client.post(row_url(world, world.county), {field: "80", "comment": "扎实", "version": "0"})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["version"] == 1 and body["score"] == "80.00"
    assert body["message"] == shown("Saved: %(score)s").replace("%(score)s", "80.00")
    rating = Rating.objects.get(project=world.county, rater=org.reviewer)
    assert (rating.score, rating.comment) == (80, "扎实")

    # A change needs a reason; nothing is saved without it.
    response = client.post(row_url(world, world.county), {field: "85", "comment": "扎实", "version": "1"})
    assert response.status_code == 400
    assert errors(response) == [shown("Say why you change your rating; the reason is kept with it.")]
    response = client.post(
        row_url(world, world.county), {field: "85", "comment": "扎实", "version": "1", "reason": "复核"}
    )
    assert json.loads(response.content)["version"] == 2

    # Another tab still holds version 1: refused, the rating stays at 85.
    response = client.post(
        row_url(world, world.county), {field: "60", "comment": "", "version": "1", "reason": "旧页面"}
    )
    assert response.status_code == 409
    assert errors(response) == [
        shown(
            "Someone else saved this record after you opened it. Reload the page to see their changes, "
            "then make yours again."
        )
    ]
    assert Rating.objects.get(project=world.county, rater=org.reviewer).score == 85


def test_junk_and_foreign_rows(login, org, world):
    client = login(org.reviewer)
    field = f"criterion_{world.round.criteria.get().pk}"
    response = client.post(row_url(world, world.station), {field: "abc", "version": "0"})
    assert response.status_code == 400 and errors(response) == [shown("Enter a number.")]
    response = client.post(row_url(world, world.station), {field: "101", "version": "0"})
    assert response.status_code == 400 and len(errors(response)) == 1
    assert client.post(row_url(world, world.city), {field: "80", "version": "0"}).status_code == 404
    assert client.get(row_url(world, world.county)).status_code == 405
    assert not Rating.objects.exists()
