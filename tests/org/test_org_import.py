import io
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from branchtrack.web.background_jobs.models import BackgroundJob
from branchtrack.web.tabular import TableFileError
from org.exports import organisation_csv
from org.imports import import_organisation_file
from org.models import Branch, Department, Unit
from tests.imports import confirm, preview

GOOD_ROWS = [
    ["类型", "编码", "名称", "上级编码", "单位类别", "书记", "党员人数", "是否有效"],
    ["单位", "C", "示范供电公司", "", "公司", "", "", ""],
    ["单位", "U1", "城区供电公司", "C", "city", "", "", ""],
    ["单位", "U1-1", "城关供电所", "U1", "供电所", "", "", ""],
    ["党支部", "B1", "运检党支部", "U1", "", "王芳", "23", "是"],
    ["党支部", "B2", "供电所党支部", "U1-1", "", "李强", "9", "否"],
    ["部门", "D1", "营销部", "", "", "", "", ""],
]


def csv_bytes(rows) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def org_counts():
    return Unit.objects.count(), Branch.objects.count(), Department.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize(("filename", "encode"), [("org.csv", csv_bytes), ("org.xlsx", xlsx_bytes)])
def test_a_good_file_imports_the_whole_tree(filename, encode):
    result = import_organisation_file(io.BytesIO(encode(GOOD_ROWS)), filename=filename)
    assert result.ok, result.errors
    assert org_counts() == (3, 2, 1)
    station = Unit.objects.get(code="U1-1")
    assert Unit.objects.get_parent(station).code == "U1" and station.kind == Unit.Kind.STATION
    b2 = Branch.objects.get(code="B2")
    assert (b2.unit, b2.secretary, b2.member_count, b2.active) == (station, "李强", 9, False)


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing():
    import_organisation_file(io.BytesIO(csv_bytes(GOOD_ROWS)), filename="org.csv")
    history_before = Branch.history.count() + Unit.history.count()
    again = import_organisation_file(io.BytesIO(csv_bytes(GOOD_ROWS)), filename="org.csv")
    assert again.ok and not again.changed
    assert again.unchanged == 6
    assert org_counts() == (3, 2, 1)
    assert Branch.history.count() + Unit.history.count() == history_before


@pytest.mark.django_db
def test_a_changed_row_updates_only_that_record():
    import_organisation_file(io.BytesIO(csv_bytes(GOOD_ROWS)), filename="org.csv")
    rows = [list(row) for row in GOOD_ROWS]
    rows[4][6] = "30"
    result = import_organisation_file(io.BytesIO(csv_bytes(rows)), filename="org.csv")
    assert result.updated["branch"] == 1 and result.unchanged == 5
    assert Branch.objects.get(code="B1").member_count == 30


@pytest.mark.django_db
def test_bad_rows_import_nothing_and_every_problem_is_reported():
    rows = [list(row) for row in GOOD_ROWS]
    rows[6][0] = "团委"  # unknown type, row 7
    rows[4][6] = "很多"  # member count not a number, row 5
    rows[5][3] = "NOPE"  # unknown unit, row 6
    rows.append(["党支部", "B1", "重复", "U1", "", "", "1", "是"])  # duplicate code, row 8
    with translation.override("zh-hans"):
        result = import_organisation_file(io.BytesIO(csv_bytes(rows)), filename="org.csv")
        problems = {(error.row, error.column) for error in result.errors}
        assert problems == {(7, "类型"), (5, "党员人数"), (6, "上级编码"), (8, "编码")}
        assert "NOPE" in str(next(e for e in result.errors if e.row == 6))
    assert org_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_errors_speak_english_to_english_users():
    rows = [GOOD_ROWS[0], ["党支部", "B9", "x", "NOPE", "", "", "1", "是"]]
    with translation.override("en"):
        result = import_organisation_file(io.BytesIO(csv_bytes(rows)), filename="org.csv")
        assert str(result.errors[0]) == (
            "Row 2, column parent code: no unit with code NOPE in the file or the database."
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("org.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("org.xlsx", b"this is not a zip", "不是有效的 Excel"),
        ("org.csv", b"", "文件是空的"),
        ("org.csv", "名称,书记\n甲,乙\n".encode(), "缺少必需的列"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(filename, content, message):
    with translation.override("zh-hans"), pytest.raises(TableFileError) as refused:
        import_organisation_file(io.BytesIO(content), filename=filename)
    assert message in refused.value.message


@pytest.mark.django_db
def test_gbk_csv_from_chinese_excel_is_read():
    data = "\n".join(",".join(row) for row in GOOD_ROWS[:2]).encode("gb18030")
    assert import_organisation_file(io.BytesIO(data), filename="org.csv").ok
    assert Unit.objects.get(code="C").name == "示范供电公司"


@pytest.mark.django_db
def test_the_export_imports_back_without_edits():
    import_organisation_file(io.BytesIO(csv_bytes(GOOD_ROWS)), filename="org.csv")
    exported = organisation_csv().encode("utf-8")
    result = import_organisation_file(io.BytesIO(exported), filename="org.csv")
    assert result.ok and not result.changed and result.unchanged == 6


@pytest.mark.django_db
def test_names_a_spreadsheet_would_run_as_formulas_survive_the_export_and_import_back_unchanged():
    rows = [*GOOD_ROWS, ["党支部", "B3", "=1+1 党支部", "U1", "", "@王芳", "5", "是"]]
    rows[1] = ["单位", "C", "-示范供电公司", "", "公司", "", "", ""]
    import_organisation_file(io.BytesIO(csv_bytes(rows)), filename="org.csv")
    exported = organisation_csv()
    assert "'=1+1 党支部" in exported and "'-示范供电公司" in exported  # neutralised for Excel and WPS
    result = import_organisation_file(io.BytesIO(exported.encode("utf-8")), filename="org.csv")
    assert result.ok and not result.changed and result.unchanged == 7
    assert Branch.objects.get(code="B3").name == "=1+1 党支部"
    assert Branch.objects.get(code="B3").secretary == "@王芳"


def test_an_admin_uploads_a_file_in_the_browser(login, org):
    client = login(org.admin)
    upload = SimpleUploadedFile(
        "org.csv", csv_bytes([GOOD_ROWS[0], ["党支部", "B-NEW", "新支部", "C-CITY", "", "", "5", "是"]])
    )
    previewed = preview(client, "/org/import/", upload)
    assert previewed.status_code == 200 and not Branch.objects.filter(code="B-NEW").exists()
    assert "B-NEW" in previewed.content.decode()
    response = confirm(client, "/org/import/", previewed)
    # The import ran as a background job (in process here, as on the demo); its page shows the summary.
    job = BackgroundJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert Branch.objects.get(code="B-NEW").unit == org.city
    page = client.get(response["Location"]).content.decode()
    assert "导入完成：新增 1 条，更新 0 条，未变 0 条。" in page
    assert "已完成 1 / 1 行" in page


def test_the_upload_page_lists_each_bad_row_and_imports_nothing(login, org):
    client = login(org.admin)
    rows = [
        GOOD_ROWS[0],
        ["党支部", "B-NEW", "新支部", "C-CITY", "", "", "-1", "是"],
        ["部门", "", "", "", "", "", "", ""],
    ]
    response = client.post("/org/import/", {"file": SimpleUploadedFile("org.csv", csv_bytes(rows))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入任何数据" in page and "党员人数" in page
    assert not Branch.objects.filter(code="B-NEW").exists()


def test_a_wrong_file_type_is_reported_next_to_the_file_field(login, org):
    response = login(org.admin).post("/org/import/", {"file": SimpleUploadedFile("org.docx", b"PK\x03\x04")})
    assert response.status_code == 400
    assert 'class="field has-error' in response.content.decode()


def test_only_admins_import(login, org):
    assert login(org.staff).get("/org/import/").status_code == 403


@pytest.mark.django_db
def test_the_import_org_command_imports_and_reports_errors(tmp_path):
    good = tmp_path / "org.xlsx"
    good.write_bytes(xlsx_bytes(GOOD_ROWS))
    out = io.StringIO()
    call_command("import_org", str(good), stdout=out)
    assert org_counts() == (3, 2, 1)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([GOOD_ROWS[0], ["党支部", "B9", "x", "NOPE", "", "", "1", "是"]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_org", str(bad), stderr=err)
    assert "第 2 行" in err.getvalue()


def test_settings_read_database_url(tmp_path):
    code = "import django; from django.conf import settings; django.setup(); d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])"
    env = {
        "DATABASE_URL": "postgres://someone:pw@db.example:6543/branchdb",
        "DJANGO_SETTINGS_MODULE": "branchtrack.settings",
        "PATH": "/usr/bin:/bin",
    }
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert output == ["django.db.backends.postgresql", "branchdb", "db.example", "6543"]
    env = {"DJANGO_SETTINGS_MODULE": "branchtrack.settings", "PATH": "/usr/bin:/bin"}
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert output[0] == "django.db.backends.sqlite3" and output[1].endswith("db.sqlite3")


def test_a_unit_administrator_neither_imports_nor_exports_the_company(login, org):
    client = login(org.unit_admin)
    assert client.get("/org/import/").status_code == 403
    assert client.get("/org/export.csv").status_code == 403


@pytest.mark.django_db
def test_a_unit_moved_under_its_own_descendant_through_a_new_unit_is_a_row_error():
    import_organisation_file(io.BytesIO(csv_bytes(GOOD_ROWS)), filename="org.csv")
    header = GOOD_ROWS[0]
    rows = [
        header,
        ["单位", "U1", "城区供电公司", "NEW", "city", "", "", ""],
        ["单位", "NEW", "新单位", "U1-1", "其他", "", "", ""],
    ]
    with translation.override("en"):
        result = import_organisation_file(io.BytesIO(csv_bytes(rows)), filename="org.csv")
        assert [str(error) for error in result.errors] == [
            "Row 2, column parent code: a unit cannot move under its own descendant: U1 → NEW → U1-1 → U1.",
            "Row 3, column parent code: a unit cannot move under its own descendant: NEW → U1-1 → U1 → NEW.",
        ]
    assert not Unit.objects.filter(code="NEW").exists()
    assert Unit.objects.get_parent(Unit.objects.get(code="U1")).code == "C"


@pytest.mark.django_db
def test_a_unit_moved_under_its_own_child_is_a_row_error():
    import_organisation_file(io.BytesIO(csv_bytes(GOOD_ROWS)), filename="org.csv")
    rows = [GOOD_ROWS[0], ["单位", "U1", "城区供电公司", "U1-1", "city", "", "", ""]]
    with translation.override("en"):
        result = import_organisation_file(io.BytesIO(csv_bytes(rows)), filename="org.csv")
    assert [error.row for error in result.errors] == [2]


@pytest.mark.django_db
def test_two_units_can_swap_places_in_one_file():
    import_organisation_file(io.BytesIO(csv_bytes(GOOD_ROWS)), filename="org.csv")
    rows = [
        GOOD_ROWS[0],
        ["单位", "U1", "城区供电公司", "U1-1", "city", "", "", ""],
        ["单位", "U1-1", "城关供电所", "C", "供电所", "", "", ""],
    ]
    result = import_organisation_file(io.BytesIO(csv_bytes(rows)), filename="org.csv")
    assert result.ok, result.errors
    assert Unit.objects.get_parent(Unit.objects.get(code="U1")).code == "U1-1"
    assert Unit.objects.get_parent(Unit.objects.get(code="U1-1")).code == "C"


@pytest.mark.django_db
def test_columns_the_file_does_not_have_leave_their_fields_unchanged():
    import_organisation_file(io.BytesIO(csv_bytes(GOOD_ROWS)), filename="org.csv")
    rows = [
        ["类型", "编码", "名称"],
        ["党支部", "B2", "供电所党支部（改名）"],
        ["单位", "U1-1", "城关供电所"],
    ]
    result = import_organisation_file(io.BytesIO(csv_bytes(rows)), filename="org.csv")
    assert result.ok, result.errors
    b2 = Branch.objects.get(code="B2")
    assert (b2.name, b2.unit.code, b2.secretary, b2.member_count, b2.active) == (
        "供电所党支部（改名）",
        "U1-1",
        "李强",
        9,
        False,
    )
    station = Unit.objects.get(code="U1-1")
    assert station.kind == Unit.Kind.STATION and Unit.objects.get_parent(station).code == "U1"


@pytest.mark.django_db
def test_empty_cells_in_present_columns_show_in_the_preview():
    from org.imports import plan_organisation_file

    import_organisation_file(io.BytesIO(csv_bytes(GOOD_ROWS)), filename="org.csv")
    rows = [
        GOOD_ROWS[0],
        ["党支部", "B2", "供电所党支部", "U1-1", "", "", "", ""],
        ["单位", "U1", "城区供电公司", "C", "", "", "", ""],
    ]
    with translation.override("en"):
        plan = plan_organisation_file(csv_bytes(rows), filename="org.csv")
        b2, u1 = plan.rows
        assert [(c.label, c.old, c.new, c.blanked) for c in b2.changes] == [("secretary", "李强", "", True)]
        assert b2.kept == ["party members", "active"]
        assert (u1.action, u1.kept) == ("unchanged", ["unit kind"])
    assert Branch.objects.get(code="B2").secretary == "李强"  # a preview writes nothing


def test_a_preview_confirmed_after_the_data_changed_is_refused(login, org):
    client = login(org.admin)
    upload = SimpleUploadedFile(
        "org.csv",
        csv_bytes(
            [
                ["类型", "编码", "名称", "上级编码"],
                ["党支部", "B-NEW", "新支部", "C-CITY"],
                ["单位", "C-CTY", "县公司（新名）", "C"],
            ]
        ),
    )
    previewed = preview(client, "/org/import/", upload)
    assert previewed.status_code == 200
    Unit.objects.filter(code="C-CTY").update(name="别人改的名字")
    response = confirm(client, "/org/import/", previewed)
    job = BackgroundJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "failed"
    assert job.error == "数据在预览之后已被修改，因此没有导入任何数据。请重新上传文件查看新的预览。"
    assert job.upload is None  # the staged file goes with the job
    assert not Branch.objects.filter(code="B-NEW").exists()
    assert Unit.objects.get(code="C-CTY").name == "别人改的名字"
    # Uploading again gives the new preview, which can be confirmed.
    upload.seek(0)
    again = preview(client, "/org/import/", upload)
    assert confirm(client, "/org/import/", again).status_code == 302
    assert Branch.objects.filter(code="B-NEW").exists()


def test_a_confirmation_without_its_preview_imports_nothing(login, org):
    client = login(org.admin)
    response = client.post("/org/import/", {"confirm": "1", "token": "../../etc/passwd", "digest": "x"})
    assert response.status_code == 302
    assert "预览已过期或已导入" in client.get(response["Location"]).content.decode()
