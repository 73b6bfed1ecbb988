"""Permissions-Policy on every response; nothing a signed-in user receives may be kept by a cache."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pairings.models import ActivityAttachment
from tests.pairings.factories import PairingFactory
from tests.pairings.test_activities import PDF, _form


def permissions(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


def test_pages_may_use_camera_and_location_themselves_and_nothing_else(client, login, org):
    for response in (client.get("/accounts/login/"), login(org.secretary).get("/")):
        policy = permissions(response)
        assert policy["camera"] == "(self)"  # the visit form's photo input
        assert policy["geolocation"] == "(self)"  # where an offline visit was made
        assert policy["microphone"] == policy["payment"] == policy["usb"] == "()"


def test_signed_in_pages_exports_and_files_are_never_cached(login, org):
    pairing = PairingFactory(branch=org.city_branch, start_date=datetime.date(2020, 1, 1))
    client = login(org.secretary)
    created = client.post(
        f"/pairings/{pairing.pk}/activities/new/",
        {**_form(), "documents": [SimpleUploadedFile("协议.pdf", PDF)]},
    )
    assert created.status_code == 302
    attachment = ActivityAttachment.objects.get()
    client = login(org.staff)
    for path in (
        "/",
        "/org/branches/",
        "/org/branches/?export=csv",
        "/org/branches/?export=xlsx",
        f"/pairings/attachments/{attachment.pk}/",
        "/does-not-exist/",
    ):
        response = client.get(path)
        assert response.get("Cache-Control") == "private, no-store", path


def test_the_service_worker_and_the_public_pages_keep_their_own_caching(login, org):
    assert "no-store" not in login(org.staff).get("/sw.js")["Cache-Control"]
    assert "private" not in Client().get("/manifest.webmanifest").get("Cache-Control", "")
