"""The tracking list and its outstanding projects as PDF notices, scoped like the list page."""

import pytest

from projects import pdf_views, services
from tests.pdfs import pdf_pages_text, pdf_text
from tests.query_budget import assert_page_within_budget

pytestmark = pytest.mark.django_db


def test_the_tracking_list_notice_lists_the_published_projects_in_order(login, org, rated):
    rating_round, projects, _rater = rated
    tracking_list = services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    client = login(org.admin)
    assert (
        f"/projects/lists/{tracking_list.pk}/notice.pdf"
        in client.get(f"/projects/lists/{tracking_list.pk}/").content.decode()
    )
    response = client.get(f"/projects/lists/{tracking_list.pk}/notice.pdf")
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_pages_text(response.content)
    assert len(pages) == 1
    text = pages[0]
    assert "中共测试公司委员会" in text
    assert "关于公布2020年度“一支部一项目一特色”跟踪实施名单的通知" in text
    assert "共4个项目（参评项目7个）" in text
    assert text.index("项目1") < text.index("项目2") < text.index("项目3") < text.index("项目5")
    assert "项目4" not in text and "项目6" not in text
    # Before any outstanding project is confirmed there is no outstanding notice.
    assert client.get(f"/projects/lists/{tracking_list.pk}/outstanding.pdf").status_code == 404


def test_the_outstanding_notice_holds_only_the_confirmed_projects(login, org, rated):
    rating_round, projects, _rater = rated
    tracking_list = services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    services.confirm_outstanding(
        rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk, projects[2].pk], reason=""
    )
    text = pdf_text(login(org.admin).get(f"/projects/lists/{tracking_list.pk}/outstanding.pdf").content)
    assert "突出贡献项目的通知" in text and "其中2个项目" in text
    assert "项目1" in text and "项目3" in text and "项目2" not in text


def test_a_unit_staff_notice_holds_only_their_units_projects(login, org, rated):
    rating_round, projects, _rater = rated
    tracking_list = services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    # The rated projects belong to county branches: the county's staff see them, nobody else's.
    text = pdf_text(login(org.unit_staff).get(f"/projects/lists/{tracking_list.pk}/notice.pdf").content)
    assert "中共县公司委员会" in text and "项目1" in text
    assert login(org.secretary).get(f"/projects/lists/{tracking_list.pk}/notice.pdf").status_code == 403
    assert login(org.admin).get("/projects/lists/999999/notice.pdf").status_code == 404


def test_a_list_too_long_for_one_notice_answers_400_with_the_way_out(login, org, rated, monkeypatch):
    rating_round, _projects, _rater = rated
    tracking_list = services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    monkeypatch.setattr(pdf_views, "MAX_NOTICE_ROWS", 3)
    response = login(org.admin).get(f"/projects/lists/{tracking_list.pk}/notice.pdf")
    assert response.status_code == 400
    assert "名单过长，无法生成一份通知（超过 3 个项目），请导出为 .xlsx。" in response.content.decode()


def test_the_notices_keep_their_query_budgets(login, org, rated):
    from tests.factories import BranchFactory
    from tests.projects.factories import BranchProjectFactory

    rating_round, projects, _rater = rated
    tracking_list = services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    services.confirm_outstanding(
        rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk, projects[1].pk], reason=""
    )
    client = login(org.admin)

    def grow():
        for _ in range(5):
            BranchProjectFactory(branch=BranchFactory(unit=org.county))

    for page, suffix in (
        ("tracking_notice_pdf", "notice.pdf"),
        ("outstanding_notice_pdf", "outstanding.pdf"),
    ):
        assert_page_within_budget(
            app="projects",
            page=page,
            client=client,
            url=f"/projects/lists/{tracking_list.pk}/{suffix}",
            grow=grow,
        )
