"""The export job: progress written as rows go, idempotent reruns, transient errors, freezing, the score."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.urls import reverse

from assessment.models import ExportJob, YearSnapshot
from assessment.services import run_export
from supervision.models import Finding
from tests.assessment.helpers import open_workbook, table
from tests.factories import BranchFactory
from tests.pairings.factories import ActivityFactory, PairingFactory
from tests.supervision.factories import CampaignFactory, ProblemFactory, VisitFactory

YEAR = 2020


class DatabaseGoneStorage(FileSystemStorage):
    """Saving fails the way a database failover fails a worker: with a transient OperationalError."""

    def _save(self, name, content):
        raise OperationalError("server closed the connection unexpectedly")


def new_job(org, **kwargs) -> ExportJob:
    return ExportJob.objects.create(year=YEAR, unit=org.company, requested_by=org.admin, **kwargs)


def test_progress_is_written_to_the_job_while_the_rows_are_written(org):
    BranchFactory.create_batch(37, unit=org.city)
    job = new_job(org)
    seen = []

    def observe(done):
        stored = ExportJob.objects.get(pk=job.pk)
        seen.append((stored.status, stored.rows_done, stored.rows_total))

    job = run_export(job_id=job.pk, on_progress=observe)
    # 40 rows, reported every 2 rows (about twenty updates), then once more when the file is complete.
    assert seen[0] == ("running", 2, 40)
    assert [done for _status, done, _total in seen] == [*range(2, 41, 2), 40]
    assert {status for status, _done, _total in seen} == {"running"}
    assert (job.status, job.rows_done, job.rows_total, job.percent) == ("done", 40, 40, 100)


def test_running_a_finished_job_again_changes_nothing(org):
    job = run_export(job_id=new_job(org).pk)
    name, finished = job.file.name, job.finished_at
    again = run_export(job_id=job.pk)
    assert (again.file.name, again.finished_at, again.status) == (name, finished, "done")


def test_a_transient_error_requeues_the_job_for_a_retry_and_fails_it_on_the_last_attempt(org, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.DatabaseGoneStorage"}}
    job = new_job(org)
    with pytest.raises(OperationalError):
        run_export(job_id=job.pk, final_attempt=False)
    job.refresh_from_db()
    assert (job.status, job.error) == ("queued", "")

    job = run_export(job_id=job.pk, final_attempt=True)
    assert job.status == "failed" and not job.file
    assert "server closed the connection unexpectedly" in job.error


def test_the_score_is_the_weighted_sum_printed_in_the_header(org):
    campaign = CampaignFactory(scope=[org.company])
    visit = VisitFactory(campaign=campaign, branch=org.city_branch, score=Decimal("8"))
    ProblemFactory(visit=visit)
    ProblemFactory(
        visit=visit,
        status=Finding.Status.RESOLVED,
        resolution="已整改",
        evidence="整改通知书",
        resolved_on=datetime.date(2020, 6, 20),
    )
    pairing = PairingFactory(branch=org.city_branch)
    ActivityFactory.create_batch(2, pairing=pairing)
    ActivityFactory(pairing=pairing, date=datetime.date(2019, 5, 1))  # another year: not counted

    _header, rows = table(open_workbook(run_export(job_id=new_job(org).pk).file.path)["城区公司"])
    row = rows[0]
    assert (row["已走访"], row["走访次数"], row["清单总分"], row["清单得分率"]) == ("是", 1, 72, 0.8)
    assert [row["方面1"], row["方面2"], row["方面3"]] == [24, 24, 24]
    assert (row["发现问题"], row["已整改问题"], row["逾期未整改"]) == (2, 1, 1)
    assert (row["联创共建"], row["共建活动次数"]) == (1, 2)
    # Default weights: visited 20 x 1 + checklist 20 x 0.8 + problems 15 x 1/2 + pairing 10 x 2/4.
    assert row["考核得分"] == 20 + 16 + 7.5 + 5


def test_an_admin_freezes_the_year_and_a_unit_admin_cannot(login, org):
    assert login(org.unit_admin).post(reverse("assessment:freeze"), {"year": YEAR}).status_code == 403
    assert not YearSnapshot.objects.exists()

    client = login(org.admin)
    response = client.post(reverse("assessment:freeze"), {"year": YEAR}, follow=True)
    assert "已冻结" in response.content.decode()
    snapshot = YearSnapshot.objects.get(year=YEAR)
    assert snapshot.frozen_by == org.admin and snapshot.rows.count() == 3

    again = client.post(reverse("assessment:freeze"), {"year": YEAR}, follow=True)
    assert "2020年度已冻结。" in again.content.decode()
    assert YearSnapshot.objects.count() == 1
