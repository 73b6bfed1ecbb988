"""Background jobs (branchtrack.web.jobs): the job page, its progress, running once, a queue outage."""

from __future__ import annotations

from django.test import TestCase
from kombu.exceptions import OperationalError as BrokerUnavailable

from branchtrack.web.background_jobs.models import BackgroundJob
from branchtrack.web.jobs import JobFailed, JobProgress, progress_of, run_job, start_job


def _job(user, **values) -> BackgroundJob:
    return BackgroundJob.objects.create(kind="tests", title="测试任务", requested_by=user, **values)


def test_only_the_user_who_started_a_job_sees_it(login, org):
    job = _job(org.admin)
    assert login(org.admin).get(f"/jobs/{job.pk}/").status_code == 200
    other = login(org.staff)
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/jobs/{job.pk}/progress/").status_code == 404


def test_a_running_job_reports_rows_done_of_total_from_the_cache(login, org, monkeypatch):
    job = _job(org.admin, status=BackgroundJob.Status.RUNNING)
    client = login(org.admin)
    progress = JobProgress(job.pk)
    progress.start(50_000)
    assert client.get(f"/jobs/{job.pk}/progress/").json()["rows_total"] == 50_000
    monkeypatch.setattr("branchtrack.web.jobs.PROGRESS_EVERY_SECONDS", 0)
    progress.advance(12_000)
    monkeypatch.setattr("branchtrack.web.jobs.PROGRESS_EVERY_SECONDS", 3600)
    progress.advance(20_000)  # within the interval since the last write: not written
    body = client.get(f"/jobs/{job.pk}/progress/").json()
    assert (body["status"], body["rows_done"], body["rows_total"]) == ("running", 12_000, 50_000)
    assert body["progress_text"] == "已完成 12000 / 50000 行"
    progress.advance(50_000)  # the last row is always written
    assert progress_of(job) == (50_000, 50_000)


def test_a_finished_job_is_not_run_again_and_a_refusal_is_its_reason(org):
    runs = []

    def work(job, progress):
        runs.append(job.pk)
        progress.start(3)
        progress.advance(3)
        return "完成"

    job = _job(org.admin)
    assert run_job(job_id=job.pk, work=work).status == "done"
    assert run_job(job_id=job.pk, work=work).status == "done"  # a redelivered message
    assert runs == [job.pk]
    job.refresh_from_db()
    assert (job.message, job.rows_done, job.rows_total) == ("完成", 3, 3)

    def refuse(job, progress):
        raise JobFailed("不能继续")

    refused = run_job(job_id=_job(org.admin).pk, work=refuse)
    assert (refused.status, refused.error) == ("failed", "不能继续")


class _QueueDown:
    @staticmethod
    def delay(**kwargs):
        raise BrokerUnavailable("connection refused")


def test_with_the_queue_down_the_job_fails_at_once_with_a_reason(org):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = start_job(kind="tests", title="测试任务", user=org.admin, task=_QueueDown, upload=b"x")
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "任务队列暂不可用，未做任何修改。请几分钟后重试。"
    assert job.upload is None
