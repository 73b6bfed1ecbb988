"""The 2020 sheet of the reference scenario: every seed figure, and the dashboard's figures.

The demo is loaded once per session (the `demo` fixture).
"""

from decimal import Decimal

from assessment.models import ExportJob
from assessment.services import run_export
from org.models import Branch, Unit, User
from projects.selectors import year_figures
from supervision.models import CoverageSnapshot
from supervision.year_end import campaign_for_year
from tests.assessment.helpers import key_figures, open_workbook, table

YEAR = 2020


def test_the_demo_sheet_holds_every_seed_figure_and_the_dashboards_figures(demo):
    admin = User.objects.get(username="admin")
    job = run_export(job_id=ExportJob.objects.create(year=YEAR, unit=admin.unit, requested_by=admin).pk)
    assert job.status == ExportJob.Status.DONE, job.error
    assert (job.rows_done, job.rows_total) == (305, 305)
    workbook = open_workbook(job.file.path)

    # The summary: the dashboards' numbers, as the dashboard shows them (one rounding, half up).
    figures = key_figures(workbook["汇总"])
    assert (figures["党支部数"], figures["有效党支部"], figures["已走访有效党支部"]) == (305, 305, 213)
    assert figures["覆盖率"] == 0.698
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
    assert dashboard.coverage_percent == Decimal("69.8")
    # The count the dashboard and the workbook used to disagree on (37 and 42): one definition now.
    assert figures["逾期未整改"] == dashboard.overdue_problems
    assert figures["发现问题"] - figures["已整改问题"] == dashboard.open_problems

    # One sheet per unit directly below the company, each with its whole subtree.
    company = admin.unit
    top_units = Unit.objects.filter(path__startswith=company.path, depth=company.depth + 1)
    assert workbook.sheetnames == ["汇总", *(unit.name for unit in top_units)]
    qinghe = Unit.objects.get(code="U04")
    _header, qinghe_rows = table(workbook[qinghe.name])
    assert len(qinghe_rows) == Branch.objects.in_subtree(qinghe).count() == 27
    assert sum(1 for name in workbook.sheetnames[1:] for _row in table(workbook[name])[1]) == 305
