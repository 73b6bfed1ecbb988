"""Each upload field accepts only its kinds, and a download is named after what the file is, never the sender's extension."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pairings.models import ActivityAttachment, PairingActivity
from tests.pairings.factories import PairingFactory
from tests.pairings.test_activities import JPEG, PDF, PNG, _form


@pytest.fixture
def own_pairing(org):
    return PairingFactory(branch=org.city_branch, start_date=datetime.date(2020, 1, 1))


@pytest.mark.parametrize(
    ("field", "name", "content", "zh", "en"),
    [
        ("photos", "扫描件.jpg", PDF, "不是照片", "is not a photo (JPEG, PNG, WebP)."),
        ("documents", "协议.pdf", PNG, "不是 PDF 文件", "is not a PDF document."),
    ],
)
def test_a_photo_field_takes_only_photos_and_a_document_field_only_pdfs(
    login, org, own_pairing, settings, field, name, content, zh, en
):
    client = login(org.secretary)
    url = f"/pairings/{own_pairing.pk}/activities/new/"
    response = client.post(url, {**_form(), field: [SimpleUploadedFile(name, content)]})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page and name in page and zh in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(url, {**_form(), field: [SimpleUploadedFile(name, content)]})
    assert f"“{name}” {en}" in response.content.decode()
    assert not PairingActivity.objects.exists() and not ActivityAttachment.objects.exists()


def test_a_download_is_named_with_the_extension_of_what_the_file_is(login, org, own_pairing):
    client = login(org.secretary)
    response = client.post(
        f"/pairings/{own_pairing.pk}/activities/new/",
        {
            **_form(),
            "photos": [SimpleUploadedFile("现场.exe", JPEG)],
            "documents": [SimpleUploadedFile("report.exe", PDF)],
        },
    )
    assert response.status_code == 302
    pdf = ActivityAttachment.objects.get(kind="pdf")
    photo = ActivityAttachment.objects.get(kind="photo")
    pdf_download = client.get(f"/pairings/attachments/{pdf.pk}/")
    assert pdf_download["Content-Disposition"] == 'attachment; filename="report.pdf"'
    photo_download = client.get(f"/pairings/attachments/{photo.pk}/")
    assert photo_download["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%E7%8E%B0%E5%9C%BA.jpg" in photo_download["Content-Disposition"]
    assert photo_download["Content-Type"] == "image/jpeg"
