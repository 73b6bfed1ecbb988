"""The offline queue's endpoints: a visit and its photos arrive exactly once, whatever is replayed;
a refusal answers why and what would fix it, in the user's language; where and when are kept."""

import datetime
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from supervision.models import ChecklistItem, Finding, Visit, VisitPhoto, VisitScore
from tests.factories import TEST_PASSWORD
from tests.supervision.factories import ChecklistTemplateFactory

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 200


def sync_url(campaign) -> str:
    return f"/supervision/campaigns/{campaign.pk}/visits/sync/"


def queued_visit(campaign, branch, **overrides) -> dict:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "template": campaign.template_id,
        "branch": branch.pk,
        "visited_on": "2020-06-15",
        "visitors": "王芳",
        "overall_comment": "离线记录",
        "action": "complete",
        "device_time": "2020-06-15T09:30:00+08:00",
        "latitude": "30.123456",
        "longitude": "120.654321",
        "location_accuracy_m": "12",
    }
    for item in ChecklistItem.objects.filter(area__template=campaign.template):
        data[f"score_{item.pk}"] = "8"
    data.update(overrides)
    return data


def test_a_queued_visit_arrives_once_and_a_replay_gets_the_same_answer(login, org, campaign):
    client = login(org.staff)
    finding_key = str(uuid.uuid4())
    data = queued_visit(
        campaign,
        org.station_branch,
        findings=f'[{{"key": "{finding_key}", "kind": "problem", "title": "台账缺页", "due_on": "2020-07-31"}}]',
    )
    first = client.post(sync_url(campaign), data)
    replay = client.post(sync_url(campaign), data)

    assert first.status_code == replay.status_code == 200
    assert first.json() == replay.json() and first.json()["ok"]
    visit = Visit.objects.get()
    assert first.json()["url"] == f"/supervision/visits/{visit.pk}/"
    assert visit.is_completed and VisitScore.objects.count() == 9
    assert Finding.objects.get().idempotency_key == uuid.UUID(finding_key)
    assert (str(visit.latitude), str(visit.longitude), visit.location_accuracy_m) == (
        "30.123456",
        "120.654321",
        12,
    )
    assert visit.device_time.isoformat() == "2020-06-15T01:30:00+00:00"

    page = client.get(first.json()["url"]).content.decode()
    assert "30.123456, 120.654321 (± 12 m)" in page
    assert 'data-testid="device-time">2020-06-15 09:30<' in page  # shown in the site's time zone


def test_photos_arrive_once_after_their_visit_and_only_photos(login, org, campaign):
    client = login(org.staff)
    finding_key = str(uuid.uuid4())
    data = queued_visit(
        campaign,
        org.station_branch,
        findings=f'[{{"key": "{finding_key}", "kind": "good_practice", "title": "党员示范岗"}}]',
    )
    photo = {
        "visit_key": data["idempotency_key"],
        "idempotency_key": str(uuid.uuid4()),
        "finding_key": finding_key,
    }

    early = client.post("/supervision/photos/sync/", {**photo, "photo": SimpleUploadedFile("a.jpg", JPEG)})
    assert early.status_code == 409 and early.json()["fix"] == "wait"

    client.post(sync_url(campaign), data)
    first = client.post("/supervision/photos/sync/", {**photo, "photo": SimpleUploadedFile("a.jpg", JPEG)})
    again = client.post("/supervision/photos/sync/", {**photo, "photo": SimpleUploadedFile("a.jpg", JPEG)})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    stored = VisitPhoto.objects.get()
    assert stored.finding.title == "党员示范岗" and stored.content_type == "image/jpeg"

    item = ChecklistItem.objects.filter(area__template=campaign.template).first()
    pdf = client.post(
        "/supervision/photos/sync/",
        {
            **photo,
            "idempotency_key": str(uuid.uuid4()),
            "item": item.pk,
            "finding_key": "",
            "photo": SimpleUploadedFile("a.jpg", PDF),
        },
    )
    assert pdf.status_code == 400 and pdf.json()["fix"] == "discard"
    assert VisitPhoto.objects.count() == 1

    page = client.get(f"/supervision/visits/{stored.visit_id}/").content.decode()
    assert f"/supervision/photos/{stored.pk}/" in page
    assert client.get(f"/supervision/photos/{stored.pk}/").status_code == 200


def test_another_units_user_cannot_see_the_photo(login, org, campaign):
    client = login(org.staff)
    data = queued_visit(campaign, org.city_branch)
    client.post(sync_url(campaign), data)
    client.post(
        "/supervision/photos/sync/",
        {
            "visit_key": data["idempotency_key"],
            "idempotency_key": str(uuid.uuid4()),
            "photo": SimpleUploadedFile("a.jpg", JPEG),
        },
    )
    photo = VisitPhoto.objects.get()
    assert login(org.unit_staff).get(f"/supervision/photos/{photo.pk}/").status_code == 404


def test_refusals_say_why_and_what_would_fix_them(client, login, org, campaign):
    data = queued_visit(campaign, org.city_branch)
    logged_out = client.post(sync_url(campaign), data)
    assert logged_out.status_code == 401 and logged_out.json()["fix"] == "login"

    county_staff = login(org.unit_staff)
    out_of_scope = county_staff.post(sync_url(campaign), data)
    assert out_of_scope.status_code == 400 and out_of_scope.json()["fix"] == "branch"
    assert "范围" in out_of_scope.json()["reason"]  # in the user's language (zh-Hans by default)

    closed = county_staff.post(
        sync_url(campaign), queued_visit(campaign, org.county_branch, visited_on="2021-01-05")
    )
    assert closed.status_code == 400 and closed.json()["fix"] == "edit"

    old_template = campaign.template_id
    campaign.template = ChecklistTemplateFactory()
    campaign.save()
    retired = county_staff.post(
        sync_url(campaign), queued_visit(campaign, org.county_branch, template=old_template)
    )
    assert retired.status_code == 409 and retired.json()["fix"] == "edit"

    secretary = login(org.secretary).post(sync_url(campaign), queued_visit(campaign, org.city_branch))
    assert secretary.status_code == 403
    assert not Visit.objects.exists()


def test_a_repeat_is_answered_even_after_the_branch_left_the_visitors_scope(login, org, campaign):
    client = login(org.unit_staff)
    data = queued_visit(campaign, org.station_branch)
    first = client.post(sync_url(campaign), data)
    org.station_branch.unit = org.city
    org.station_branch.save()
    assert client.post(sync_url(campaign), data).json() == first.json()


def test_the_offline_page_list_holds_the_visit_form_and_the_last_visits(login, org, campaign):
    client = login(org.staff)
    client.post(sync_url(campaign), queued_visit(campaign, org.station_branch))
    pages = client.get("/supervision/offline/pages.json").json()["pages"]
    assert f"/supervision/campaigns/{campaign.pk}/visits/new/" in pages
    assert "/org/branches/" in pages
    assert f"/supervision/visits/{Visit.objects.get().pk}/" in pages


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_same_queued_visit_sent_three_times_at_once_is_one_visit(org):
    from tests.supervision.factories import CampaignFactory

    campaign = CampaignFactory(scope=[org.company])
    data = queued_visit(campaign, org.station_branch)
    barrier = threading.Barrier(3)
    answers = []

    def send():
        client = Client()
        client.login(username=org.staff.username, password=TEST_PASSWORD)
        barrier.wait()
        try:
            answers.append(client.post(sync_url(campaign), data).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 3 and all(answer["ok"] for answer in answers)
    assert len({answer["id"] for answer in answers}) == 1
    assert Visit.objects.filter(campaign=campaign).count() == 1
    assert VisitScore.objects.filter(visit__campaign=campaign).count() == 9


def test_the_offline_page_list_holds_my_plan_with_each_branchs_form_and_last_visit(login, org, campaign):
    from tests.supervision.factories import CampaignFactory, VisitFactory
    from tests.supervision.test_plan_pages import next_weekday, plan

    today = datetime.date.today()
    current = CampaignFactory(
        scope=[org.company],
        year=today.year,
        starts_on=today - datetime.timedelta(weeks=4),
        ends_on=today + datetime.timedelta(weeks=12),
    )
    last = VisitFactory(campaign=campaign, branch=org.county_branch, created_by=org.staff)
    plan(org, current, org.county_branch, org.unit_staff, day=next_weekday())
    plan(org, current, org.city_branch, org.staff, day=next_weekday())  # someone else's plan

    pages = login(org.unit_staff).get("/supervision/offline/pages.json").json()["pages"]

    assert "/supervision/plan/mine/" in pages
    assert f"/supervision/campaigns/{current.pk}/visits/new/?branch={org.county_branch.pk}" in pages
    assert f"/supervision/visits/{last.pk}/" in pages
    assert f"/supervision/campaigns/{current.pk}/visits/new/?branch={org.city_branch.pk}" not in pages


def test_the_photo_and_finding_services_refuse_what_does_not_belong(org, campaign, settings):
    from django.core.exceptions import ValidationError

    from supervision import services
    from tests.supervision.factories import VisitFactory

    visit = VisitFactory(campaign=campaign, branch=org.city_branch, created_by=org.staff)
    other = VisitFactory(campaign=campaign, branch=org.county_branch, created_by=org.staff)
    key = uuid.uuid4()
    finding = services.add_finding(visit=visit, kind="good_practice", title="示范岗", idempotency_key=key)
    assert (
        services.add_finding(visit=visit, kind="good_practice", title="示范岗", idempotency_key=key)
        == finding
    )
    with pytest.raises(ValidationError):  # the same key under another visit
        services.add_finding(visit=other, kind="good_practice", title="示范岗", idempotency_key=key)
    for kind, title in [("rumour", "x"), ("problem", "   ")]:
        with pytest.raises(ValidationError):
            services.add_finding(visit=visit, kind=kind, title=title, due_on=datetime.date(2020, 9, 1))

    photo_key = uuid.uuid4()
    photo = services.add_visit_photo(
        visit=visit, upload=SimpleUploadedFile("a.jpg", JPEG), finding=finding, idempotency_key=photo_key
    )
    with pytest.raises(ValidationError):  # the same key under another visit
        services.add_visit_photo(
            visit=other, upload=SimpleUploadedFile("a.jpg", JPEG), idempotency_key=photo_key
        )
    with pytest.raises(ValidationError):  # a finding of another visit
        services.add_visit_photo(visit=other, upload=SimpleUploadedFile("a.jpg", JPEG), finding=finding)
    foreign_item = ChecklistItem.objects.exclude(area__template=campaign.template).first()
    if foreign_item is None:
        from tests.supervision.factories import ChecklistTemplateFactory

        foreign_item = ChecklistItem.objects.filter(area__template=ChecklistTemplateFactory()).first()
    with pytest.raises(ValidationError):  # an item of another checklist
        services.add_visit_photo(
            visit=visit, upload=SimpleUploadedFile("a.jpg", JPEG), item_id=foreign_item.pk
        )
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError):  # too large
        services.add_visit_photo(visit=visit, upload=SimpleUploadedFile("a.jpg", JPEG))
    assert list(VisitPhoto.objects.all()) == [photo]


@pytest.mark.parametrize(
    "findings",
    [
        "not json",
        '{"kind": "problem"}',
        "[" + ",".join(['{"kind": "good_practice", "title": "x"}'] * 21) + "]",
        '[{"kind": "rumour", "title": "x"}]',
        '[{"kind": "good_practice", "title": ""}]',
        '[{"kind": "problem", "title": "台账", "due_on": "soon"}]',
        '[{"kind": "good_practice", "title": "x", "key": "not-a-uuid"}]',
    ],
    ids=["not json", "not a list", "too many", "kind", "title", "due date", "key"],
)
def test_findings_the_form_cannot_read_are_refused_with_the_reason(login, org, campaign, findings):
    response = login(org.staff).post(
        sync_url(campaign), queued_visit(campaign, org.city_branch, findings=findings)
    )
    assert response.status_code == 400 and response.json()["fix"] == "edit"
    assert response.json()["errors"]["findings"]
    assert not Visit.objects.exists()


def test_a_location_needs_both_coordinates(login, org, campaign):
    response = login(org.staff).post(
        sync_url(campaign), queued_visit(campaign, org.city_branch, longitude="")
    )
    assert response.status_code == 400 and not Visit.objects.exists()


def test_the_queue_endpoints_refuse_what_they_cannot_place(login, org, campaign):
    client = login(org.staff)
    missing_key = client.post(
        sync_url(campaign), queued_visit(campaign, org.city_branch, idempotency_key="nope")
    )
    assert missing_key.status_code == 400 and missing_key.json()["fix"] == "edit"
    gone = client.post("/supervision/campaigns/999999/visits/sync/", queued_visit(campaign, org.city_branch))
    assert gone.status_code == 404 and gone.json()["fix"] == "discard"

    data = queued_visit(campaign, org.city_branch)
    client.post(sync_url(campaign), data)
    photo = {"visit_key": data["idempotency_key"], "idempotency_key": str(uuid.uuid4())}
    for extra, reason in [
        ({"finding_key": str(uuid.uuid4()), "photo": SimpleUploadedFile("a.jpg", JPEG)}, "finding"),
        ({"item": "²", "photo": SimpleUploadedFile("a.jpg", JPEG)}, "item"),
        ({}, "no photo"),
    ]:
        response = client.post("/supervision/photos/sync/", {**photo, **extra})
        assert response.status_code == 400 and response.json()["fix"] == "discard", reason
    assert not VisitPhoto.objects.exists()
    theirs = login(org.admin).post(sync_url(campaign), data)
    assert theirs.status_code == 409 and theirs.json()["fix"] == "discard"


def test_the_installable_app_serves_its_manifest_worker_and_offline_page(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["lang"] == "zh-hans" and manifest.json()["scope"] == "/"
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker["Service-Worker-Allowed"] == "/"
    assert "workbox-precaching.prod.js" in worker.content.decode() and "/offline/" in worker.content.decode()
    assert "当前离线" in client.get("/offline/").content.decode()


def test_a_photo_that_loses_the_race_for_its_key_leaves_no_file_behind(
    org, campaign, settings, tmp_path, monkeypatch
):
    """Two sends of one photo: the second checked the key before the first stored its row (simulated
    by letting its check see nothing); its insert then meets the unique key, and it answers the
    first photo and removes the file it had stored."""
    from supervision import services
    from tests.supervision.factories import VisitFactory

    settings.MEDIA_ROOT = tmp_path
    visit = VisitFactory(campaign=campaign, branch=org.city_branch, created_by=org.staff)
    key = uuid.uuid4()
    first = services.add_visit_photo(
        visit=visit, upload=SimpleUploadedFile("a.jpg", JPEG), idempotency_key=key
    )
    from branchtrack.web import idempotency

    real = idempotency.find_by_key
    blind = {"services": 1, "idempotency": 1}  # each module's first look sees nothing

    def late_look(where):
        def look(model, k):
            if model is VisitPhoto and blind[where]:
                blind[where] -= 1
                return None
            return real(model, k)

        return look

    monkeypatch.setattr(services, "find_by_key", late_look("services"))
    monkeypatch.setattr(idempotency, "find_by_key", late_look("idempotency"))
    second = services.add_visit_photo(
        visit=visit, upload=SimpleUploadedFile("a.jpg", JPEG), idempotency_key=key
    )
    assert second == first and VisitPhoto.objects.count() == 1
    assert [p.name for p in (tmp_path / "supervision" / "photos" / str(visit.pk)).iterdir()] == [
        first.file.name.rsplit("/", 1)[-1]
    ]


def test_a_photo_from_a_signed_out_phone_asks_to_log_in(client, org, campaign):
    response = client.post("/supervision/photos/sync/", {"visit_key": str(uuid.uuid4())})
    assert response.status_code == 401 and response.json()["fix"] == "login"
