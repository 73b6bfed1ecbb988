"""The year-end sheets as PDFs: one official document per unit (a zip for several), from the export job."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.models import ExportJob
from assessment.services import freeze_year, run_export
from org.models import Unit
from tests.factories import BranchFactory
from tests.pdfs import pdf_pages_text, pdf_text
from tests.supervision.factories import CampaignFactory, VisitFactory

pytestmark = pytest.mark.django_db
YEAR = 2020
LIST_URL = reverse("assessment:export_list")
EXPECTED_PAGES = 5


def _export(org, unit) -> ExportJob:
    job = ExportJob.objects.create(year=YEAR, unit=unit, requested_by=org.admin, format=ExportJob.Format.PDF)
    job = run_export(job_id=job.pk)
    assert job.status == ExportJob.Status.DONE, job.error
    return job


def _zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_an_admin_downloads_the_years_sheets_as_a_zip_of_one_pdf_per_unit(
    login, org, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(scope=[org.company])
    VisitFactory(campaign=campaign, branch=org.city_branch, score=Decimal("8"))
    client = login(org.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST_URL, {"year": YEAR, "scope": org.company.pk, "format": "pdf"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("assessment:export_detail", args=[job.pk])
    progress = client.get(reverse("assessment:export_progress", args=[job.pk])).json()
    assert (progress["status"], progress["rows_done"], progress["rows_total"]) == ("done", 3, 3)

    download = client.get(progress["download_url"])
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].endswith('.zip"') or ".zip" in download["Content-Disposition"]
    entries = _zip_entries(b"".join(download.streaming_content))
    assert list(entries) == ["0001-城区公司.pdf", "0002-县公司.pdf", "0003-供电所.pdf"]

    city = pdf_text(entries["0001-城区公司.pdf"])
    for expected in (
        "中共测试公司委员会",  # the issuing unit, in the GB/T 9704 style header
        "考〔2020〕1号",
        "2020年度党建绩效考核表：城区公司",
        "B-CITY",
        "城区党支部",
        "72.0",  # its checklist total: 9 items x 8
        "走访覆盖",  # the weights, with how each measure counts
        "单位党委书记（签字）",
        "（盖章）",
        "第1页，共1页",
    ):
        assert expected in city, expected
    county = pdf_text(entries["0002-县公司.pdf"])
    assert "县公司党支部" in county and "供电所党支部" not in county and "城区党支部" not in county
    assert "考〔2020〕3号" in pdf_text(entries["0003-供电所.pdf"])


def test_a_unit_with_branches_only_under_itself_gets_a_single_pdf(login, org):
    job = _export(org, org.city)
    assert job.file.name.endswith(".pdf")
    data = job.file.read()
    pages = pdf_pages_text(data)
    assert len(pages) == 1
    assert "城区党支部" in pages[0] and "县公司党支部" not in pages[0]
    download = login(org.admin).get(reverse("assessment:export_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert ".pdf" in download["Content-Disposition"]


def test_a_unit_of_many_branches_runs_to_the_pages_its_table_needs(org):
    # 120 branches: every page carries the unit's name and its number of the whole.
    for number in range(120):
        BranchFactory(unit=org.city, code=f"B-C{number:03d}", name=f"城区第{number}党支部")
    pages = pdf_pages_text(_export(org, org.city).file.read())
    assert len(pages) == EXPECTED_PAGES
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页，共{EXPECTED_PAGES}页" in page and "城区公司" in page
    # The table's header repeats on each page it runs over; the weights and the boxes close the sheet.
    assert all("支部编码" in page for page in pages[:-1])
    assert "城区第119党支部" in pages[-2] and "（盖章）" in pages[-1]


def test_a_frozen_year_prints_its_frozen_figures_and_names(org):
    freeze_year(year=YEAR, user=org.admin)
    Unit.objects.filter(pk=org.county.pk).update(name="更名后的县公司")
    BranchFactory(unit=org.county, code="B-LATE", name="冻结后新建党支部")
    job = _export(org, org.company)
    assert job.from_snapshot
    entries = _zip_entries(job.file.read())
    assert list(entries) == ["0001-城区公司.pdf", "0002-县公司.pdf", "0003-供电所.pdf"]
    county = pdf_text(entries["0002-县公司.pdf"])
    assert "考核数据冻结于" in county or "冻结" in county
    assert "冻结后新建党支部" not in county and "更名后的县公司" not in county


def test_a_unit_admin_cannot_export_pdfs_of_another_unit(login, org, django_capture_on_commit_callbacks):
    client = login(org.unit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST_URL, {"year": YEAR, "scope": org.city.pk, "format": "pdf"})
    assert response.status_code == 404
    assert not ExportJob.objects.exists()
