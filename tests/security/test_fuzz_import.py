"""Property-based tests of the organisation import: whatever the file holds, the page never
answers 500, and a refused file changes nothing."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from org.models import Branch, Department, Unit

HEADERS = {
    "zh": ["类型", "编码", "名称", "上级编码", "单位类别", "书记", "党员人数", "是否有效"],
    "en": ["type", "code", "name", "parent_code", "unit_kind", "secretary", "member_count", "active"],
}
# Text a person or a broken export might put in a cell: any printable character, CJK included.
cell_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
codes = st.one_of(st.sampled_from(["C", "C-CITY", "C-CTY", "B-CITY", "D-OPS", "U9", "B9"]), cell_text)
# Member counts: in range, past any branch and past PostgreSQL's integer, negative, decimal, words,
# and digits that are not ASCII ("²", "①", "٣") which str.isdigit() accepts.
numbers = st.one_of(
    st.integers(min_value=-5, max_value=10**20).map(str),
    st.sampled_from(["12.0", "1e3", " 7 ", "-1", "十二", "", "NaN", "²", "①", "٣", "１２"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=10),
)
rows = st.lists(
    st.tuples(
        st.one_of(
            st.sampled_from(["单位", "党支部", "部门", "unit", "branch", "department", "支部"]), cell_text
        ),
        codes,
        cell_text,
        codes,
        st.one_of(st.sampled_from(["公司", "city", "county", "供电所", "station"]), cell_text),
        cell_text,
        numbers,
        st.one_of(st.sampled_from(["是", "否", "yes", "no", "1", "0"]), cell_text),
    ),
    min_size=0,
    max_size=6,
)


def as_csv(header: list[str], body: list[tuple], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue().encode(encoding, errors="replace")


def as_xlsx(header: list[str], body: list[tuple]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in body:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot() -> tuple:
    return (
        list(Unit.objects.order_by("pk").values_list("pk", "code", "name", "kind", "path")),
        list(Branch.objects.order_by("pk").values_list()),
        list(Department.objects.order_by("pk").values_list()),
        Unit.history.count() + Branch.history.count() + Department.history.count(),
    )


def upload(client, name: str, content: bytes):
    response = client.post("/org/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code in (200, 302, 400), response.status_code
    return response


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    language=st.sampled_from(["zh", "en"]),
    columns=st.integers(min_value=0, max_value=8),
    body=rows,
    file_format=st.sampled_from(["utf-8", "gb18030", "xlsx"]),
)
def test_any_table_is_imported_whole_or_refused_whole(client, org, language, columns, body, file_format):
    client.force_login(org.admin)
    header = HEADERS[language][: max(columns, 3)] if columns else HEADERS[language]
    body = [row[: len(header)] for row in body]
    if file_format == "xlsx":
        content, name = as_xlsx(header, body), "org.xlsx"
    else:
        content, name = as_csv(header, body, file_format), "org.csv"
    before = snapshot()
    response = upload(client, name, content)
    if response.status_code != 302:
        assert snapshot() == before


@FUZZ
@given(
    content=st.binary(max_size=400),
    name=st.sampled_from(["org.csv", "org.xlsx", "org.txt", "org", "ORG.CSV", "组织.xlsx"]),
)
def test_arbitrary_bytes_are_refused_with_a_message_and_change_nothing(client, org, content, name):
    client.force_login(org.admin)
    before = snapshot()
    response = upload(client, name, content)
    if response.status_code != 302:
        assert snapshot() == before


@pytest.mark.parametrize("member_count", ["²", "①", "٣", "１２", "99999999999999999999", "100001"])
def test_odd_member_counts_are_refused_with_a_row_error(client, org, member_count):
    client.force_login(org.admin)
    content = as_csv(
        HEADERS["zh"], [("党支部", "B9", "新支部", "C-CITY", "", "王", member_count, "是")], "utf-8"
    )
    before = snapshot()
    response = upload(client, "org.csv", content)
    assert response.status_code == 400
    assert "党员人数" in response.content.decode()
    assert snapshot() == before
