"""The printed visit report: a PDF that opens, holds the visit in Chinese text, and is scoped like the visit."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from supervision import services
from supervision.models import Finding, VisitScore
from tests.factories import BranchFactory
from tests.pdfs import open_pdf, pdf_pages_text, pdf_text
from tests.query_budget import assert_page_within_budget
from tests.supervision.factories import ProblemFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _camera_photo(width=3000, height=2000) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(output, format="JPEG", quality=90)
    return output.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(visit):
    return f"/supervision/visits/{visit.pk}/report.pdf"


def test_the_report_holds_the_visit_its_scores_beside_the_last_visits_and_findings(
    login, org, campaign, media
):
    VisitFactory(
        campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 4, 1), score=Decimal("6")
    )
    visit = VisitFactory(
        campaign=campaign,
        branch=org.city_branch,
        visited_on=datetime.date(2020, 9, 15),
        visitors="王芳、李强",
        score=Decimal("8"),
    )
    VisitScore.objects.filter(visit=visit, item__text="重点内容1.1").update(remark="三会一课记录齐全")
    problem = ProblemFactory(visit=visit, title="党员活动室未挂牌", due_on=datetime.date(2020, 10, 31))
    services.add_finding(visit=visit, kind=Finding.Kind.GOOD_PRACTICE, title="网格化服务示范岗")
    services.add_visit_photo(
        visit=visit, upload=SimpleUploadedFile("p.jpg", _camera_photo()), finding=problem
    )

    response = login(org.staff).get(_url(visit))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in (
        "调研督导报告",
        "城区党支部",
        "城区公司",  # the unit, in the running header too
        "2020-09-15",
        "王芳、李强",
        "三会一课记录齐全",
        "党员活动室未挂牌",
        "网格化服务示范岗",
        "2020-04-01",  # the previous visit
        "走访人员（签字）",
        "第1页，共",
    ):
        assert expected in text, expected
    # Area scores: 3 items x 8 x weight 1 = 24.0 now, 18.0 at the previous visit; totals 72.0 and 54.0.
    assert text.count("24.0") == 3 and text.count("18.0") == 3
    assert "72.0" in text and "54.0" in text
    # The photo is embedded downscaled (a 3000 x 2000 camera JPEG would weigh far more).
    reader = open_pdf(response.content)
    images = {image.name: image for page in reader.pages for image in page.images}
    assert len(images) == 1
    assert max(next(iter(images.values())).image.size) <= 900
    assert len(response.content) < 400_000


def test_a_first_visit_says_there_is_no_previous_one_and_prints_in_english(login, org, campaign, media):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    client = login(org.staff)
    client.cookies["django_language"] = "en"
    text = pdf_text(client.get(_url(visit), HTTP_ACCEPT_LANGUAGE="en").content)
    assert "Supervisionvisitreport" in text
    assert "none(firstvisit)" in text
    assert "Page1of1" in text and "Generated" in text


def test_a_foreign_visit_report_is_a_404_like_the_visit(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    unit_staff = login(org.unit_staff)  # the county's staff: the city's branch is foreign
    assert unit_staff.get(f"/supervision/visits/{visit.pk}/").status_code == 404
    assert unit_staff.get(_url(visit)).status_code == 404
    assert unit_staff.get("/supervision/visits/999999/report.pdf").status_code == 404


def test_the_secretary_prints_their_branchs_report_and_the_visit_page_links_it(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    client = login(org.secretary)
    assert _url(visit) in client.get(f"/supervision/visits/{visit.pk}/").content.decode()
    assert client.get(_url(visit)).status_code == 200
    other = VisitFactory(campaign=campaign, branch=org.county_branch)
    assert client.get(_url(other)).status_code == 404


def test_a_report_with_many_findings_runs_to_more_pages_with_the_header_on_each(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    for number in range(60):
        ProblemFactory(visit=visit, title=f"问题清单第{number}项", description="整改措施说明。" * 8)
    pages = pdf_pages_text(login(org.staff).get(_url(visit)).content)
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert "城区公司" in page
        assert f"第{number}页，共{len(pages)}页" in page


def test_the_report_keeps_its_query_budget(login, org, campaign, media):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 5, 1))

    def grow():
        for _ in range(4):
            problem = ProblemFactory(visit=visit)
            services.add_visit_photo(
                visit=visit, upload=SimpleUploadedFile("p.jpg", _camera_photo(40, 30)), finding=problem
            )
        for branch in BranchFactory.create_batch(3, unit=org.city):
            VisitFactory(campaign=campaign, branch=branch)

    assert_page_within_budget(
        app="supervision", page="visit_report_pdf", client=login(org.staff), url=_url(visit), grow=grow
    )
