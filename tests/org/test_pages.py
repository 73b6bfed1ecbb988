import pytest
from django.utils import translation

from org.models import Role
from tests.factories import TEST_PASSWORD, BranchFactory, UnitFactory
from tests.query_budget import assert_page_within_budget


@pytest.mark.parametrize("role", ["admin", "staff", "reviewer", "secretary"])
def test_each_role_logs_in_and_lands_on_the_home_page(client, org, role):
    user = {"admin": org.admin, "staff": org.staff, "reviewer": org.reviewer, "secretary": org.secretary}[
        role
    ]
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    with translation.override("zh-hans"):
        assert str(Role(role).label) in home.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, org):
    response = client.post("/accounts/login/", {"username": org.staff.username, "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_the_home_page_speaks_chinese_by_default_and_english_on_request(login, org):
    client = login(org.staff)
    chinese = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "党支部" in chinese and "退出" in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert "Party branches" in english and "Log out" in english


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/org/branches/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_branch_list_filters_by_unit_including_sub_units(login, org):
    client = login(org.staff)
    page = client.get("/org/branches/", {"unit": org.county.pk}).content.decode()
    assert "县公司党支部" in page and "供电所党支部" in page
    assert "城区党支部" not in page


def test_unit_staff_cannot_filter_their_way_into_another_unit(login, org):
    client = login(org.unit_staff)
    response = client.get("/org/branches/", {"unit": org.city.pk})
    assert response.status_code == 400
    assert "城区党支部" not in response.content.decode()


@pytest.mark.parametrize("junk", [{"unit": "abc"}, {"active": "maybe"}, {"page": "x"}, {"unit": "99999999"}])
def test_junk_filter_values_never_break_the_branch_list(login, org, junk):
    response = login(org.staff).get("/org/branches/", junk)
    assert response.status_code in (200, 400)


def test_reviewers_and_secretaries_have_no_branch_list(login, org):
    assert login(org.reviewer).get("/org/branches/").status_code == 403


def test_the_branch_list_query_count_does_not_grow_with_branches(login, org):
    client = login(org.staff)

    def grow():
        for _ in range(3):
            unit = UnitFactory(parent=org.company)
            BranchFactory.create_batch(20, unit=unit)

    assert_page_within_budget(app="org", page="branch_list", client=client, url="/org/branches/", grow=grow)


def test_the_home_page_query_count_is_pinned(login, org):
    client = login(org.admin)
    assert_page_within_budget(
        app="org", page="home", client=client, url="/", grow=lambda: BranchFactory.create_batch(5)
    )


def test_only_administrators_enter_the_admin_site(login, org):
    assert login(org.admin).get("/admin/").status_code == 200
    org.staff.is_staff = True
    org.staff.save()
    response = login(org.staff).get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")


def test_the_branch_list_exports_exactly_the_filtered_rows(login, org):
    import io

    from openpyxl import load_workbook

    client = login(org.staff)
    csv_text = b"".join(
        client.get("/org/branches/", {"unit": org.county.pk, "export": "csv"}).streaming_content
    )
    lines = csv_text.decode("utf-8-sig").strip().splitlines()
    assert lines[0].split(",")[:2] == ["编码", "党支部"]
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["B-CTY", "B-STN"]
    response = client.get("/org/branches/", {"unit": org.county.pk, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and {row[0] for row in rows[1:]} == {"B-CTY", "B-STN"}
    assert rows[1][5] == 12 and sheet.freeze_panes == "A2"
