"""Correcting and deleting a joint activity: scoped like logging one, confirmed, and kept in the history."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pairings.models import ActivityAttachment, ActivityOutcome, PairingActivity
from tests.pairings.factories import ActivityFactory, PairingFactory
from tests.pairings.test_activities import JPEG, _form
from tests.responses import followed, shown


@pytest.fixture
def own_pairing(org):
    return PairingFactory(branch=org.city_branch, start_date=datetime.date(2020, 1, 1))


@pytest.fixture
def logged(login, org, own_pairing):
    client = login(org.secretary)
    photo = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    client.post(f"/pairings/{own_pairing.pk}/activities/new/", {**_form(), "photos": [photo]})
    return PairingActivity.objects.get(pairing=own_pairing)


def test_the_pairing_page_offers_edit_and_delete_for_each_activity(login, org, logged):
    page = login(org.secretary).get(f"/pairings/{logged.pairing_id}/").content.decode()
    assert f'href="/pairings/activities/{logged.pk}/edit/"' in page
    assert f'href="/pairings/activities/{logged.pk}/delete/"' in page


def test_a_secretary_corrects_an_activity_and_its_outcomes_and_the_history_keeps_the_old_version(
    login, org, logged
):
    client = login(org.secretary)
    form = client.get(f"/pairings/activities/{logged.pk}/edit/")
    assert form.status_code == 200
    assert 'value="220千伏线路迁改拆除"' in form.content.decode()
    data = _form(
        title="220千伏线路迁改",
        our_people="90",
        **{
            "outcome-0-label": "拆除杆塔",
            "outcome-0-value": "18",
            "outcome-1-label": "",
            "outcome-1-value": "",
        },
    )
    response = client.post(f"/pairings/activities/{logged.pk}/edit/", data)
    page = followed(client, response, to=f"/pairings/{logged.pairing_id}/")
    assert shown("The activity was saved.") in page
    logged.refresh_from_db()
    assert (logged.title, logged.our_people) == ("220千伏线路迁改", 90)
    assert [str(o) for o in logged.outcomes.all()] == ["拆除杆塔: 18 基"]
    assert logged.attachments.count() == 1  # the photo stays
    versions = list(logged.history.order_by("history_date").values_list("title", "history_user"))
    assert versions == [("220千伏线路迁改拆除", org.secretary.pk), ("220千伏线路迁改", org.secretary.pk)]
    assert ActivityOutcome.history.filter(history_type="-").count() == 2


def test_a_correction_with_errors_saves_nothing_and_says_why(login, org, logged):
    client = login(org.secretary)
    response = client.post(f"/pairings/activities/{logged.pk}/edit/", _form(our_party_members="99"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-summary"' in page
    assert shown("cannot be more than the people of this side.") in page
    logged.refresh_from_db()
    assert logged.our_party_members == 20 and logged.outcomes.count() == 2


def test_deleting_asks_first_then_removes_the_activity_and_its_files_and_keeps_the_history(
    login, org, logged, django_capture_on_commit_callbacks
):
    client = login(org.secretary)
    attachment = logged.attachments.get()
    storage, name = attachment.file.storage, attachment.file.name
    question = client.get(f"/pairings/activities/{logged.pk}/delete/")
    assert question.status_code == 200 and 'data-testid="confirm-delete"' in question.content.decode()
    assert PairingActivity.objects.filter(pk=logged.pk).exists()  # asking deletes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pairings/activities/{logged.pk}/delete/")
    page = followed(client, response, to=f"/pairings/{logged.pairing_id}/")
    assert shown("The activity was deleted; the change history keeps it.") in page
    assert not PairingActivity.objects.filter(pk=logged.pk).exists()
    assert not ActivityAttachment.objects.exists() and not ActivityOutcome.objects.exists()
    assert not storage.exists(name)
    deleted = PairingActivity.history.get(id=logged.pk, history_type="-")
    assert (deleted.title, deleted.history_user_id) == ("220千伏线路迁改拆除", org.secretary.pk)


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_an_activity_of_another_units_pairing_is_a_404(login, org, action):
    foreign = ActivityFactory(pairing=PairingFactory(branch=org.county_branch))
    client = login(org.secretary)
    assert client.get(f"/pairings/activities/{foreign.pk}/{action}/").status_code == 404
    assert client.post(f"/pairings/activities/{foreign.pk}/{action}/", _form()).status_code == 404
    assert PairingActivity.objects.filter(pk=foreign.pk, title=foreign.title).exists()


def test_a_reviewer_may_neither_edit_nor_delete(login, org, logged):
    client = login(org.reviewer)
    assert client.get(f"/pairings/activities/{logged.pk}/edit/").status_code == 403
    assert client.post(f"/pairings/activities/{logged.pk}/delete/").status_code == 403
