"""The admin's export flow in the browser: start, watch progress, download; scope; failures."""

import re

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from assessment.models import AssessmentWeights, ExportJob
from assessment.services import run_export
from tests.assessment.helpers import key_figures, open_workbook
from tests.factories import BranchFactory, UnitFactory
from tests.query_budget import assert_page_within_budget

LIST_URL = reverse("assessment:export_list")


class FullDiskStorage(FileSystemStorage):
    """A storage whose disk is full: saving any file fails."""

    def _save(self, name, content):
        raise OSError(28, "No space left on device")


def start(client, *, scope, year=2020, fmt="xlsx", capture):
    with capture(execute=True):
        return client.post(LIST_URL, {"year": year, "scope": scope.pk, "format": fmt})


def test_an_admin_starts_an_export_watches_it_and_downloads_the_workbook(
    login, org, django_capture_on_commit_callbacks
):
    client = login(org.admin)
    response = start(client, scope=org.company, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:export_detail", args=[job.pk])

    page = client.get(response["Location"]).content.decode()
    assert "job_progress.js" in page and "data-progress-url" in page
    assert "<script>" not in page  # the CSP allows no inline script

    progress = client.get(reverse("assessment:export_progress", args=[job.pk])).json()
    assert progress["status"] == "done"
    assert (progress["rows_done"], progress["rows_total"], progress["percent"]) == (3, 3, 100)
    assert progress["download_url"] == reverse("assessment:export_download", args=[job.pk])

    download = client.get(progress["download_url"])
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    workbook = open_workbook(b"".join(download.streaming_content))
    assert key_figures(workbook["汇总"])["党支部数"] == 3

    listing = client.get(LIST_URL).content.decode()
    assert org.admin.first_name in listing and progress["download_url"] in listing


def test_a_csv_export_has_the_same_rows(login, org, django_capture_on_commit_callbacks):
    client = login(org.admin)
    start(client, scope=org.company, fmt="csv", capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    download = client.get(reverse("assessment:export_download", args=[job.pk]))
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("单位编码,单位,支部编码,党支部")
    assert sorted(line.split(",")[2] for line in lines[1:]) == ["B-CITY", "B-CTY", "B-STN"]


def test_a_unit_admin_exports_their_own_unit(login, org, django_capture_on_commit_callbacks):
    client = login(org.unit_admin)
    start(client, scope=org.county, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    assert job.rows_total == 2


def test_a_unit_admin_cannot_export_another_unit(login, org, django_capture_on_commit_callbacks):
    client = login(org.unit_admin)
    for unit in (org.city, org.company):
        response = start(client, scope=unit, capture=django_capture_on_commit_callbacks)
        assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_a_unit_admin_sees_none_of_the_company_exports(login, org):
    job = run_export(job_id=ExportJob.objects.create(year=2020, unit=org.company, requested_by=org.admin).pk)
    client = login(org.unit_admin)
    for name in ("export_detail", "export_progress", "export_download"):
        assert client.get(reverse(f"assessment:{name}", args=[job.pk])).status_code == 404
    assert reverse("assessment:export_download", args=[job.pk]) not in client.get(LIST_URL).content.decode()


@pytest.mark.parametrize("user", ["staff", "reviewer", "secretary"])
def test_only_admins_export(login, org, user):
    assert login(getattr(org, user)).get(LIST_URL).status_code == 403


def test_a_failed_export_is_shown_as_failed_with_its_reason_and_no_file(
    login, org, settings, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.assessment.test_export_flow.FullDiskStorage"},
    }
    client = login(org.admin)
    start(client, scope=org.company, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert not job.file
    assert "No space left on device" in job.error and "无法写入文件" in job.error

    progress = client.get(reverse("assessment:export_progress", args=[job.pk])).json()
    assert progress["status"] == "failed" and progress["download_url"] == ""
    assert "No space left on device" in progress["error"]
    assert client.get(reverse("assessment:export_download", args=[job.pk])).status_code == 404
    detail = client.get(reverse("assessment:export_detail", args=[job.pk])).content.decode()
    assert "失败" in detail and "No space left on device" in detail


def test_junk_input_answers_400_not_500(login, org):
    client = login(org.admin)
    assert client.get(LIST_URL, {"year": "abc"}).status_code == 400
    assert client.get(LIST_URL, {"status": "nope"}).status_code == 400
    assert client.post(LIST_URL, {"year": "2020", "scope": "x", "format": "xlsx"}).status_code == 400
    assert (
        client.post(LIST_URL, {"year": "1900", "scope": org.company.pk, "format": "pdf"}).status_code == 400
    )


def test_the_pages_query_counts_do_not_grow_with_the_data(login, org):
    client = login(org.admin)
    job = run_export(job_id=ExportJob.objects.create(year=2020, unit=org.company, requested_by=org.admin).pk)

    def grow():
        for _ in range(5):
            unit = UnitFactory(parent=org.city)
            BranchFactory(unit=unit)
            ExportJob.objects.create(year=2020, unit=unit, requested_by=org.admin)

    pages = {
        "export_list": LIST_URL,
        "export_detail": reverse("assessment:export_detail", args=[job.pk]),
        "export_progress": reverse("assessment:export_progress", args=[job.pk]),
    }
    for page, url in pages.items():
        assert_page_within_budget(app="assessment", page=page, client=client, url=url, grow=grow)


def test_the_page_offers_the_year_with_weights_and_says_when_nothing_was_exported(login, org):
    AssessmentWeights.objects.create(year=2020, **dict.fromkeys(AssessmentWeights.WEIGHT_FIELDS, 0))
    page = login(org.admin).get(LIST_URL).content.decode()
    assert '<option value="2020" selected>2020</option>' in page
    assert "暂无导出记录。" in page


def test_with_the_queue_down_the_export_fails_at_once_with_a_reason(
    login, org, broker_down, django_capture_on_commit_callbacks
):
    response = start(login(org.admin), scope=org.company, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.file.name or "") == ("failed", "")
    assert job.error == "导出队列暂不可用，请几分钟后重新导出。"


def test_the_export_page_gives_each_year_field_its_own_id(login, org):
    # The export form, the freeze form and the filters each have a year: three labels once all
    # pointed at one id_year, so a label opened the wrong field and screen readers read the wrong one.
    page = login(org.admin).get(LIST_URL).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert {"export_year", "freeze_year", "id_year"} <= set(ids)
    assert page.count('for="export_year"') == 1 and page.count('for="freeze_year"') == 1
