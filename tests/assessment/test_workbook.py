"""The assessment workbook read back with openpyxl: sheets, headers, figures, frozen years."""

from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessment.models import AssessmentWeights, ExportJob, SnapshotRow
from assessment.selectors import assessment_rows
from assessment.services import freeze_year, run_export
from assessment.workbook import write_workbook
from tests.assessment.helpers import key_figures, open_workbook, table
from tests.factories import BranchFactory, UnitFactory
from tests.pairings.factories import ActivityFactory, PairingFactory
from tests.projects.factories import BranchProjectFactory
from tests.supervision.factories import CampaignFactory, ProblemFactory, VisitFactory

YEAR = 2020


def export(org, *, unit=None, language="zh-hans", fmt="xlsx") -> ExportJob:
    job = ExportJob.objects.create(
        year=YEAR, unit=unit or org.company, requested_by=org.admin, language=language, format=fmt
    )
    return run_export(job_id=job.pk)


def test_the_workbook_has_a_summary_and_one_sheet_per_unit_below_the_company(org):
    job = export(org)
    assert job.status == ExportJob.Status.DONE, job.error
    workbook = open_workbook(job.file.path)
    assert workbook.sheetnames == ["汇总", "城区公司", "县公司"]
    _header, county_rows = table(workbook["县公司"])
    # A unit's sheet holds its whole subtree: the station's branch is on the county's sheet.
    assert [row["党支部"] for row in county_rows] == ["县公司党支部", "供电所党支部"]


def test_headers_are_chinese_by_default_and_english_for_english_users(org):
    chinese = open_workbook(export(org).file.path)
    header, _rows = table(chinese["城区公司"])
    assert header[:4] == ["单位编码", "单位", "支部编码", "党支部"]
    assert "考核得分" in header and "跟踪实施名单" in header

    english = open_workbook(export(org, language="en").file.path)
    assert english.sheetnames[0] == "Summary"
    header, _rows = table(english["城区公司"])
    assert header[:4] == ["Unit code", "Unit", "Branch code", "Party branch"]
    assert "Assessment score" in header


def test_summary_counts_every_branch_of_the_scope(org):
    BranchFactory(unit=org.city, active=False)
    summary = open_workbook(export(org).file.path)["汇总"]
    figures = key_figures(summary)
    assert figures["党支部数"] == 4
    assert figures["有效党支部"] == 3
    assert figures["已走访有效党支部"] == 0
    assert figures["覆盖率"] == 0


def test_the_weights_of_the_year_are_printed_so_the_score_can_be_checked(org):
    AssessmentWeights.objects.create(
        year=YEAR,
        visit_coverage=Decimal("40"),
        checklist_score=Decimal("10"),
        problems_resolved=Decimal("10"),
        project_rating=Decimal("10"),
        tracking_list=Decimal("10"),
        outstanding=Decimal("10"),
        pairing_activity=Decimal("10"),
        activities_for_full_marks=6,
    )
    workbook = open_workbook(export(org).file.path)
    figures = key_figures(workbook["汇总"])
    assert figures["走访覆盖"] == 40
    assert figures["满分所需共建活动次数"] == 6
    preamble = [row[0] for row in workbook["城区公司"].iter_rows(max_row=4, max_col=1, values_only=True)]
    assert any(line and "走访覆盖 40" in line for line in preamble)


def test_a_unit_export_holds_only_that_units_subtree(org):
    workbook = open_workbook(export(org, unit=org.county).file.path)
    # The county's own branch sits directly under it, so the county gets a sheet beside its station's.
    assert workbook.sheetnames == ["汇总", "县公司", "供电所"]
    assert key_figures(workbook["汇总"])["党支部数"] == 2


def test_a_frozen_year_exports_the_frozen_figures_after_the_data_moved_on(org):
    freeze_year(year=YEAR, user=org.admin)
    assert SnapshotRow.objects.count() == 3
    BranchFactory(unit=org.city, name="冻结后新建党支部")
    job = export(org)
    assert job.from_snapshot
    _header, rows = table(open_workbook(job.file.path)["城区公司"])
    assert [row["党支部"] for row in rows] == ["城区党支部"]


def test_the_row_query_count_does_not_grow_with_the_branches(org, tmp_path):
    campaign = CampaignFactory(scope=[org.company])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            write_workbook(
                str(tmp_path / "sheet.xlsx"),
                rowset=assessment_rows(year=YEAR, unit=org.company),
                scope_name="测试公司",
            )
        return len(captured.captured_queries)

    def grow(count: int) -> None:
        for index in range(count):
            unit = UnitFactory(parent=org.city if index % 2 else org.county)
            for branch in BranchFactory.create_batch(3, unit=unit):
                ProblemFactory(visit=VisitFactory(campaign=campaign, branch=branch))
                BranchProjectFactory(branch=branch)
                ActivityFactory(pairing=PairingFactory(branch=branch))

    grow(1)
    small = queries()
    grow(10)
    assert queries() == small


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_management_command_writes_the_same_sheet(org, tmp_path, suffix):
    out = tmp_path / f"sheet.{suffix}"
    call_command("export_assessment", "--year", str(YEAR), "--unit", org.county.code, "--out", str(out))
    if suffix == "xlsx":
        assert open_workbook(str(out)).sheetnames == ["汇总", "县公司", "供电所"]
    else:
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        with translation.override("zh-hans"):
            assert lines[0].startswith("单位编码,单位,支部编码,党支部")
        assert len(lines) == 3


def test_indicator_values_show_no_trailing_dot(org):
    # "0.##" displays a whole number as "49." in Excel and WPS: the indicators use the General format.
    BranchProjectFactory(branch=org.county_branch, year=YEAR, baseline=Decimal("49"))
    job = export(org)
    workbook = openpyxl.load_workbook(job.file.path)
    sheet = workbook["县公司"]
    header_row = next(row for row in sheet.iter_rows() if any(cell.value == "基准值" for cell in row))
    column = next(cell.column for cell in header_row if cell.value == "基准值")
    cells = [
        row[column - 1] for row in sheet.iter_rows(min_row=header_row[0].row + 1) if row[column - 1].value
    ]
    assert [cell.value for cell in cells] == [49]
    assert {cell.number_format for cell in cells} == {"General"}
