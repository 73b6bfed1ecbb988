"""Logging joint activities: who may, what the form accepts, and attachments checked by content."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pairings.models import ActivityAttachment, ActivityOutcome, PairingActivity
from tests.pairings.factories import ActivityFactory, PairingFactory

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"0" * 200


def _form(**overrides):
    data = {
        "date": "2020-05-16",
        "title": "220千伏线路迁改拆除",
        "description": "两个晚上拆除杆塔16基、线路4.5公里",
        "our_people": "80",
        "our_party_members": "20",
        "their_people": "80",
        "their_party_members": "20",
        "outcome_text": "",
        "outcome-TOTAL_FORMS": "3",
        "outcome-INITIAL_FORMS": "0",
        "outcome-MIN_NUM_FORMS": "0",
        "outcome-MAX_NUM_FORMS": "20",
        "outcome-0-label": "拆除杆塔",
        "outcome-0-value": "16",
        "outcome-0-unit_label": "基",
        "outcome-1-label": "拆除线路",
        "outcome-1-value": "4.5",
        "outcome-1-unit_label": "km",
    }
    data.update(overrides)
    return data


@pytest.fixture
def own_pairing(org):
    return PairingFactory(branch=org.city_branch, start_date=datetime.date(2020, 1, 1))


def test_a_secretary_logs_an_activity_with_a_photo_and_outcomes_for_their_own_branch(login, org, own_pairing):
    client = login(org.secretary)
    photo = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    response = client.post(f"/pairings/{own_pairing.pk}/activities/new/", {**_form(), "photos": [photo]})
    assert response.status_code == 302, response.content.decode()
    activity = PairingActivity.objects.get(pairing=own_pairing)
    assert (activity.our_people, activity.their_party_members, activity.created_by) == (80, 20, org.secretary)
    assert [str(o) for o in activity.outcomes.all()] == ["拆除杆塔: 16 基", "拆除线路: 4.5 km"]
    attachment = activity.attachments.get()
    assert (attachment.kind, attachment.content_type, attachment.original_name) == (
        "photo",
        "image/jpeg",
        "现场.jpg",
    )
    assert attachment.file.name.endswith(".jpg") and attachment.file.storage.exists(attachment.file.name)
    page = client.get(f"/pairings/{own_pairing.pk}/").content.decode()
    assert "220千伏线路迁改拆除" in page and f"/pairings/attachments/{attachment.pk}/" in page
    download = client.get(f"/pairings/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content) == JPEG


def test_a_secretary_cannot_see_or_log_for_another_branchs_pairing(login, org):
    foreign = PairingFactory(branch=org.county_branch)
    foreign_activity = ActivityFactory(pairing=foreign)
    client = login(org.secretary)
    assert client.get(f"/pairings/{foreign.pk}/").status_code == 404
    assert client.get(f"/pairings/{foreign.pk}/activities/new/").status_code == 404
    assert client.post(f"/pairings/{foreign.pk}/activities/new/", _form()).status_code == 404
    assert PairingActivity.objects.filter(pairing=foreign).count() == 1
    listing = client.get("/pairings/activities/").content.decode()
    assert foreign_activity.title not in listing


def test_unit_staff_log_only_within_their_unit_and_reviewers_not_at_all(login, org):
    inside = PairingFactory(branch=org.station_branch)
    outside = PairingFactory(branch=org.city_branch)
    client = login(org.unit_staff)
    assert client.post(f"/pairings/{inside.pk}/activities/new/", _form()).status_code == 302
    assert client.get(f"/pairings/{outside.pk}/activities/new/").status_code == 404
    assert login(org.reviewer).get(f"/pairings/{inside.pk}/activities/new/").status_code == 403


def test_a_file_that_is_not_a_photo_is_refused_next_to_the_field_and_nothing_is_saved(
    login, org, own_pairing, settings
):
    client = login(org.secretary)
    fake = SimpleUploadedFile(
        "photo.jpg", b"MZ\x90\x00 this is a program, not a photo", content_type="image/jpeg"
    )
    response = client.post(f"/pairings/{own_pairing.pk}/activities/new/", {**_form(), "photos": [fake]})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_photos_error"' in page and "photo.jpg" in page and "不是照片" in page
    assert not PairingActivity.objects.exists() and not ActivityOutcome.objects.exists()
    assert not ActivityAttachment.objects.exists()
    assert not (settings.MEDIA_ROOT / "pairings").exists()


def test_a_too_large_file_is_refused_with_the_limit_and_nothing_is_saved(login, org, own_pairing, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client = login(org.secretary)
    good = SimpleUploadedFile("a.png", PNG[:50], content_type="image/png")
    big = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/pairings/{own_pairing.pk}/activities/new/", {**_form(), "photos": [good], "documents": [big]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_documents_error"' in page and "scan.pdf" in page and "过大" in page
    assert not PairingActivity.objects.exists() and not ActivityAttachment.objects.exists()
    assert not (settings.MEDIA_ROOT / "pairings").exists()


def test_the_type_is_decided_by_content_not_by_the_name(login, org, own_pairing):
    client = login(org.staff)
    renamed = SimpleUploadedFile("图片.pdf", PNG, content_type="application/pdf")
    pdf = SimpleUploadedFile("协议.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/pairings/{own_pairing.pk}/activities/new/", {**_form(), "photos": [renamed], "documents": [pdf]}
    )
    assert response.status_code == 302
    kinds = sorted(ActivityAttachment.objects.values_list("kind", "content_type", "original_name"))
    assert kinds == [("pdf", "application/pdf", "协议.pdf"), ("photo", "image/png", "图片.pdf")]
    pdf_download = client.get(f"/pairings/attachments/{ActivityAttachment.objects.get(kind='pdf').pk}/")
    assert "attachment" in pdf_download["Content-Disposition"]


def test_an_attachment_of_another_branch_answers_404(login, org):
    from pairings.services import log_activity

    foreign = PairingFactory(branch=org.county_branch)
    activity = log_activity(
        pairing=foreign,
        user=org.staff,
        date=datetime.date(2020, 6, 1),
        title="t",
        description="d",
        uploads=[SimpleUploadedFile("x.jpg", JPEG)],
    )
    attachment = activity.attachments.get()
    assert login(org.secretary).get(f"/pairings/attachments/{attachment.pk}/").status_code == 404


def test_members_cannot_outnumber_people_nor_can_an_activity_be_in_the_future(login, org, own_pairing):
    client = login(org.secretary)
    response = client.post(
        f"/pairings/{own_pairing.pk}/activities/new/",
        _form(our_people="5", our_party_members="6", date="2999-01-01"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_our_party_members_error"' in page and 'id="id_date_error"' in page
    assert not PairingActivity.objects.exists()


def test_an_outcome_number_without_a_label_is_an_error_on_that_row(login, org, own_pairing):
    client = login(org.secretary)
    response = client.post(
        f"/pairings/{own_pairing.pk}/activities/new/",
        _form(**{"outcome-2-value": "3", "outcome-2-label": ""}),
    )
    assert response.status_code == 400
    assert 'id="id_outcome-2-label_error"' in response.content.decode()
    assert not PairingActivity.objects.exists()


def test_the_activity_form_is_ready_for_a_phone_camera(login, org, own_pairing):
    page = login(org.secretary).get(f"/pairings/{own_pairing.pk}/activities/new/").content.decode()
    assert 'name="viewport" content="width=device-width' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/*"' in page and 'name="photos"' in page and "multiple" in page
    assert "<script>" not in page and "style=" not in page
