"""Table imports are bounded before and while reading (IMPORT_LIMITS): crafted files that are small on
disk but huge once unpacked or read are refused with a clear message, in little memory."""

import io
import re
import tracemalloc
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from branchtrack.web.tabular import TableFileError, import_limit
from org.imports import import_organisation_file
from org.models import Branch, Unit

HEADER = ["类型", "编码", "名称", "上级编码", "单位类别", "书记", "党员人数", "是否有效"]
PEAK_BYTES = 40 * 1024 * 1024  # what reading any of these files may cost at most


def workbook_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet(xlsx: bytes, rewrite) -> bytes:
    """The workbook with its first sheet's XML passed through `rewrite` (bytes -> bytes or an iterable of chunks)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, data)
                continue
            chunks = rewrite(data)
            sheet = zipfile.ZipInfo(info.filename)
            sheet.compress_type = zipfile.ZIP_DEFLATED
            with target.open(sheet, "w", force_zip64=True) as member:
                for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                    member.write(chunk)
    return out.getvalue()


def padded(data: bytes, padding: int):
    """The sheet's XML with `padding` spaces before </sheetData>, written a MiB at a time."""
    head, tail = data.split(b"</sheetData>")
    yield head
    block = b" " * 1024 * 1024
    for _ in range(padding // len(block)):
        yield block
    yield b"</sheetData>" + tail


def measured(function):
    tracemalloc.start()
    try:
        outcome = function()
    except TableFileError as refused:
        outcome = refused
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return outcome, peak


def import_bytes(content: bytes, filename: str):
    with translation.override("en"):
        return import_organisation_file(io.BytesIO(content), filename=filename)


ROWS = [HEADER, ["单位", "C", "示范供电公司", "", "公司", "", "", ""]]


@pytest.mark.django_db
def test_a_sheet_declaring_a_huge_dimension_is_read_as_stored():
    lying = with_sheet(
        workbook_bytes(ROWS),
        lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml),
    )
    assert len(lying) < 10_000
    result, peak = measured(lambda: import_bytes(lying, "org.xlsx"))
    assert result.ok, result.errors
    assert Unit.objects.get().code == "C"
    assert peak < PEAK_BYTES


@pytest.mark.django_db
def test_a_cell_in_the_last_column_is_refused_not_padded():
    far = with_sheet(
        workbook_bytes(ROWS),
        lambda xml: xml.replace(
            b"</row></sheetData>", b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        ),
    )
    refused, peak = measured(lambda: import_bytes(far, "org.xlsx"))
    assert refused.message == "Row 2 has 16384 columns; at most 50 are accepted."
    assert peak < PEAK_BYTES


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_from_its_directory():
    bomb = with_sheet(workbook_bytes(ROWS), lambda xml: padded(xml, 60 * 1024 * 1024))
    assert len(bomb) < 200_000
    refused, peak = measured(lambda: import_bytes(bomb, "org.xlsx"))
    assert refused.message == "The Excel file unpacks to 60.0 MB; the limit is 50.0 MB."
    assert peak < PEAK_BYTES
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_a_member_compressed_like_a_bomb_is_refused_even_under_the_size_limit():
    bomb = with_sheet(workbook_bytes(ROWS), lambda xml: padded(xml, 8 * 1024 * 1024))
    refused, peak = measured(lambda: import_bytes(bomb, "org.xlsx"))
    assert refused.message.startswith("The Excel file is compressed ")
    assert refused.message.endswith(
        "more than the 100 to 1 a real workbook reaches: it is refused as a possible zip bomb."
    )
    assert peak < PEAK_BYTES


@pytest.mark.django_db
def test_a_workbook_with_thousands_of_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(300):
            archive.writestr(f"x/{number}.xml", b"")
    with translation.override("zh-hans"), pytest.raises(TableFileError) as refused:
        import_organisation_file(io.BytesIO(out.getvalue()), filename="org.xlsx")
    assert refused.value.message == "Excel 文件包含 300 个部件，最多接受 200 个。"


@pytest.mark.django_db
def test_a_csv_with_more_rows_than_the_limit_is_refused_while_streaming():
    body = "\n".join(
        f"党支部,B{number},支部{number},C,,,1,是" for number in range(import_limit("max_rows") + 5)
    )
    content = (",".join(HEADER) + "\n" + body).encode()
    refused, peak = measured(lambda: import_bytes(content, "org.csv"))
    assert refused.message == "The file has more than 20000 rows; split it into smaller files."
    assert peak < PEAK_BYTES
    assert not Branch.objects.exists()


@pytest.mark.django_db
def test_bounds_come_from_the_settings(settings):
    settings.IMPORT_LIMITS = {"max_columns": 9, "max_cells": 20, "max_bytes": 300}
    wide = (",".join(HEADER + ["x", "y"]) + "\n").encode()
    with pytest.raises(TableFileError, match="Row 1 has 10 columns; at most 9 are accepted."):
        import_bytes(wide, "org.csv")
    many = (",".join(HEADER) + "\n" + "单位,C,甲,,公司,,,\n" * 3).encode()
    with pytest.raises(TableFileError, match="more than 20 cells"):
        import_bytes(many, "org.csv")
    with pytest.raises(TableFileError, match=r"The file is too large \(0.0 MB\); the limit is 0.0 MB."):
        import_bytes(b"x" * 301, "org.csv")


@pytest.mark.django_db
def test_a_file_wrong_on_every_row_lists_the_first_errors_and_counts_the_rest(settings):
    settings.IMPORT_LIMITS = {"max_errors": 5}
    body = "\n".join(f"团委,X{number},,,,,," for number in range(20))
    result = import_bytes((",".join(HEADER) + "\n" + body).encode(), "org.csv")
    assert len(result.errors) == 5 and result.errors.total == 40 and result.errors.more == 35
