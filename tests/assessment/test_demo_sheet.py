"""The 2020 sheet of the reference scenario: every seed figure, and every row equal to the apps' own figures.

The demo is loaded once per session (the `demo` fixture).
"""

from decimal import Decimal

from assessment.models import ExportJob
from assessment.services import run_export
from org.models import Branch, Unit, User
from pairings.selectors import branch_pairing_figures
from projects.selectors import branch_project_summaries, year_figures
from supervision.models import CoverageSnapshot
from supervision.selectors import branch_results, campaign_for_year
from tests.assessment.helpers import key_figures, open_workbook, table

YEAR = 2020


def _rows_by_code(workbook) -> dict[str, dict]:
    rows = {}
    for name in workbook.sheetnames[1:]:
        _header, records = table(workbook[name])
        rows.update({record["支部编码"]: record for record in records})
    return rows


def _number(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_demo_sheet_holds_every_seed_figure_and_agrees_with_the_apps(demo):
    admin = User.objects.get(username="admin")
    job = run_export(job_id=ExportJob.objects.create(year=YEAR, unit=admin.unit, requested_by=admin).pk)
    assert job.status == ExportJob.Status.DONE, job.error
    assert (job.rows_done, job.rows_total) == (305, 305)
    workbook = open_workbook(job.file.path)

    # The summary: the dashboards' numbers.
    figures = key_figures(workbook["汇总"])
    assert (figures["党支部数"], figures["有效党支部"], figures["已走访有效党支部"]) == (305, 305, 213)
    assert figures["覆盖率"] == 213 / 305
    assert round(figures["覆盖率"] * 100, 1) == 69.8
    assert (figures["跟踪实施名单"], figures["突出贡献项目"]) == (153, 51)
    projects = year_figures(year=YEAR)
    assert (figures["项目数"], figures["跟踪实施名单"], figures["突出贡献项目"]) == (
        projects["projects"],
        projects["tracking"],
        projects["outstanding"],
    )
    campaign = campaign_for_year(YEAR)
    dashboard = CoverageSnapshot.objects.filter(campaign=campaign, unit__isnull=True).order_by("-day").first()
    assert (figures["已走访有效党支部"], figures["有效党支部"]) == (
        dashboard.visited_branches,
        dashboard.active_branches,
    )

    # One sheet per unit directly below the company, each with its whole subtree.
    company = admin.unit
    top_units = Unit.objects.filter(path__startswith=company.path, depth=company.depth + 1)
    assert workbook.sheetnames == ["汇总", *(unit.name for unit in top_units)]
    qinghe = Unit.objects.get(code="U04")
    _header, qinghe_rows = table(workbook[qinghe.name])
    assert len(qinghe_rows) == Branch.objects.in_subtree(qinghe).count() == 27

    # Every row equals what the apps' own selectors say about the branch.
    rows = _rows_by_code(workbook)
    assert len(rows) == 305
    codes = dict(Branch.objects.values_list("pk", "code"))
    for branch_id, result in branch_results(campaign=campaign).items():
        row = rows[codes[branch_id]]
        assert (row["已走访"] == "是") == result.visited
        assert row["走访次数"] == len(result.visit_dates)
        if result.visited:
            assert row["首次走访日期"].date() == result.visit_dates[0]
            assert row["最近走访日期"].date() == result.visit_dates[-1]
        assert _number(row["清单总分"]) == result.total_score
        assert (row["发现问题"], row["已整改问题"], row["逾期未整改"]) == (
            result.problems_found,
            result.problems_resolved,
            result.problems_overdue,
        )
    for project in branch_project_summaries(year=YEAR):
        row = rows[project.branch.code]
        assert row["项目"] == project.title
        assert (_number(row["基准值"]), _number(row["目标值"])) == (project.baseline, project.target)
        assert _number(row["综合评价"]) == (None if project.aggregate is None else _number(project.aggregate))
        assert row["排名"] == project.rank
        assert (row["跟踪实施名单"] == "是", row["突出贡献项目"] == "是") == (
            project.on_tracking_list,
            project.is_outstanding,
        )
    pairing_figures = branch_pairing_figures(year=YEAR)
    for branch_id, code in codes.items():
        counts = pairing_figures.get(branch_id)
        assert (rows[code]["联创共建"], rows[code]["共建活动次数"]) == (
            (counts.pairings, counts.activities) if counts else (0, 0)
        )
