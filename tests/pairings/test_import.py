"""Importing external organisations: every row checked, nothing imported on any error, idempotent."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from pairings.models import ExternalOrg
from tests.imports import import_through_page

URL = "/pairings/external/import/"

GOOD = "编码,名称,类别,上级单位,联系人,联系电话\nK001,华兴钢铁党委,客户企业,华兴集团,李明,13800000000\nK002,河口村党支部,村,,王强,\n"


def _upload(text, name="orgs.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_an_admin_imports_a_csv_and_importing_it_again_changes_nothing(login, org):
    client = login(org.admin)
    response = import_through_page(client, URL, _upload(GOOD))
    assert response.status_code == 302
    assert dict(ExternalOrg.objects.values_list("code", "kind")) == {"K001": "customer", "K002": "village"}
    history_before = ExternalOrg.history.count()
    again = import_through_page(client, URL, _upload(GOOD))
    assert again.status_code == 200 and again.context["plan"].unchanged == 2
    assert ExternalOrg.objects.count() == 2 and ExternalOrg.history.count() == history_before
    changed = GOOD.replace("李明", "张华")
    assert import_through_page(client, URL, _upload(changed)).status_code == 302
    assert ExternalOrg.objects.get(code="K001").contact_person == "张华"


def test_any_bad_row_imports_nothing_and_lists_every_problem(login, org):
    bad = GOOD + "K001,重复的编码,客户企业,,,\nK003,,外星组织,,,\n"
    response = login(org.admin).post("/pairings/external/import/", {"file": _upload(bad)})
    assert response.status_code == 400
    page = response.content.decode()
    assert not ExternalOrg.objects.exists()
    assert page.count("<tr><td>") == 3  # duplicate code, missing name, unknown kind
    assert "K001" in page


def test_an_xlsx_file_imports_too(login, org):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind"])
    sheet.append(["K010", "城西社区党委", "community"])
    handle = __import__("io").BytesIO()
    book.save(handle)
    upload = SimpleUploadedFile("orgs.xlsx", handle.getvalue())
    assert import_through_page(login(org.admin), URL, upload).status_code == 302
    assert ExternalOrg.objects.get(code="K010").kind == "community"


def test_only_admins_import(login, org):
    assert login(org.staff).get("/pairings/external/import/").status_code == 403


def test_the_management_command_imports_all_or_nothing(tmp_path, db):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("import_external_orgs", str(good), "--language", "en", stdout=out)
    assert "Created 2" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("客户企业", "???"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_external_orgs", str(bad), "--language", "en", stdout=StringIO(), stderr=StringIO()
        )
    assert ExternalOrg.objects.count() == 2


def test_the_external_organisation_list_searches(login, org):
    ExternalOrg.objects.create(code="S1", name="市水务集团党委", kind="state_owned")
    ExternalOrg.objects.create(code="S2", name="某小学党支部", kind="school")
    page = login(org.staff).get("/pairings/external/", {"q": "水务"}).content.decode()
    assert "市水务集团党委" in page and "某小学党支部" not in page


def test_the_exported_list_imports_back_without_edits(login, org):
    ExternalOrg.objects.create(
        code="R1", name="市水务集团党委", kind="state_owned", parent_company="市水务集团"
    )
    ExternalOrg.objects.create(code="R2", name="王家村党支部", kind="village", contact_phone="138")
    client = login(org.admin)
    exported = b"".join(client.get("/pairings/external/", {"export": "xlsx"}).streaming_content)
    history_before = ExternalOrg.history.count()
    upload = SimpleUploadedFile("external-organisations.xlsx", exported)
    response = import_through_page(client, URL, upload)
    assert response.status_code == 200 and not response.context["plan"].changed
    assert ExternalOrg.objects.count() == 2 and ExternalOrg.history.count() == history_before


def test_kinds_are_understood_in_either_language(db):
    from branchtrack.web.tabular import TableRow
    from pairings.imports import import_external_orgs

    rows = [
        TableRow(number=2, values={"code": "L1", "name": "甲", "kind": "Government body"}),
        TableRow(number=3, values={"code": "L2", "name": "乙", "kind": "政府机关"}),
        TableRow(number=4, values={"code": "L3", "name": "丙", "kind": "village"}),
    ]
    assert import_external_orgs(rows=rows).ok
    assert dict(ExternalOrg.objects.values_list("code", "kind")) == {
        "L1": "government",
        "L2": "government",
        "L3": "village",
    }


def test_a_unit_administrator_may_not_import_the_company_wide_table(login, org):
    ExternalOrg.objects.create(code="K001", name="华兴钢铁党委", kind="customer", contact_person="李明")
    client = login(org.unit_admin)
    assert client.get("/pairings/external/import/").status_code == 403
    renamed = "编码,名称,类别,联系人\nK001,改名了,客户企业,\n"
    assert client.post("/pairings/external/import/", {"file": _upload(renamed)}).status_code == 403
    assert ExternalOrg.objects.get(code="K001").name == "华兴钢铁党委"
    page = client.get("/pairings/external/").content.decode()
    assert "/pairings/external/import/" not in page


def test_a_file_without_contact_columns_keeps_the_contacts_and_an_empty_cell_is_flagged(login, org):
    ExternalOrg.objects.create(
        code="K001", name="华兴钢铁党委", kind="customer", contact_person="李明", contact_phone="138"
    )
    client = login(org.admin)
    import_through_page(client, URL, _upload("编码,名称,类别\nK001,华兴钢铁党委（新）,客户企业\n"))
    org_k = ExternalOrg.objects.get(code="K001")
    assert (org_k.name, org_k.contact_person, org_k.contact_phone) == ("华兴钢铁党委（新）", "李明", "138")
    previewed = client.post(
        URL, {"file": _upload("编码,名称,类别,联系人\nK001,华兴钢铁党委（新）,客户企业,\n")}
    )
    assert previewed.status_code == 200
    [row] = previewed.context["plan"].listed_rows
    assert [(change.old, change.blanked) for change in row.changes] == [("李明", True)]
    assert "清空" in previewed.content.decode()
    assert ExternalOrg.objects.get(code="K001").contact_person == "李明"
