"""A frozen year's rows know their units by identity: a later change to the tree moves no row to another unit."""

from django.urls import reverse

from assessment.models import ExportJob, SnapshotUnit
from assessment.services import freeze_year, run_export
from org.models import Unit
from tests.assessment.helpers import open_workbook, table
from tests.factories import BranchFactory, UnitFactory

YEAR = 2020


def _codes(job: ExportJob) -> list[str]:
    assert job.status == ExportJob.Status.DONE, job.error
    workbook = open_workbook(job.file.path)
    return sorted(row["支部编码"] for name in workbook.sheetnames[1:] for row in table(workbook[name])[1])


def _export(org, unit) -> ExportJob:
    job = ExportJob.objects.create(year=YEAR, unit=unit, requested_by=org.admin)
    return run_export(job_id=job.pk)


def test_a_unit_that_sorts_first_shifts_the_paths_but_each_export_keeps_its_own_branches(org):
    freeze_year(year=YEAR, user=org.admin)
    before = dict(Unit.objects.values_list("code", "path"))
    # "C-A" sorts before "C-CITY" and "C-CTY": the tree gives it the first path and shifts theirs.
    UnitFactory(parent=org.company, code="C-A", name="新设单位")
    BranchFactory(unit=Unit.objects.get(code="C-A"), code="B-NEW")
    after = dict(Unit.objects.values_list("code", "path"))
    assert after["C-A"] == before["C-CITY"] and after["C-CITY"] == before["C-CTY"]

    county, city = Unit.objects.get(code="C-CTY"), Unit.objects.get(code="C-CITY")
    assert _codes(_export(org, county)) == ["B-CTY", "B-STN"]
    assert _codes(_export(org, city)) == ["B-CITY"]
    # A unit made after the freeze had no branches in the frozen year.
    assert _codes(_export(org, Unit.objects.get(code="C-A"))) == []
    assert _codes(_export(org, org.company)) == ["B-CITY", "B-CTY", "B-STN"]


def test_the_frozen_sheets_keep_the_names_the_units_had(org):
    freeze_year(year=YEAR, user=org.admin)
    Unit.objects.filter(pk=org.county.pk).update(name="更名后的县公司")
    UnitFactory(parent=org.company, code="C-A", name="新设单位")
    workbook = open_workbook(_export(org, org.company).file.path)
    assert workbook.sheetnames == ["汇总", "城区公司", "县公司"]
    assert SnapshotUnit.objects.get(unit=org.county).name == "县公司"


def test_a_unit_admins_frozen_export_through_the_page_holds_exactly_their_branches(
    login, org, django_capture_on_commit_callbacks
):
    freeze_year(year=YEAR, user=org.admin)
    UnitFactory(parent=org.company, code="C-A", name="新设单位")
    UnitFactory(parent=Unit.objects.get(code="C-CTY"), code="C-CTY-0", name="新设供电所")
    client = login(org.unit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("assessment:export_list"), {"year": YEAR, "scope": org.county.pk, "format": "xlsx"}
        )
    job = ExportJob.objects.get()
    assert job.from_snapshot
    assert _codes(job) == ["B-CTY", "B-STN"]


def test_frozen_rows_without_a_sheet_unit_still_get_a_sheet_named_after_their_unit(org):
    # A year frozen before the tree was kept: its rows are never dropped from the workbook.
    snapshot = freeze_year(year=YEAR, user=org.admin)
    SnapshotUnit.objects.filter(snapshot=snapshot, unit=org.city).delete()
    workbook = open_workbook(_export(org, org.company).file.path)
    assert workbook.sheetnames == ["汇总", "城区公司", "县公司"]
    assert [row["支部编码"] for row in table(workbook["城区公司"])[1]] == ["B-CITY"]
