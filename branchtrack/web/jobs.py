"""Heavy work off the request: start a background job, run it in a worker, report rows done / total.

`start_job` records the job and queues the app's Celery task once the row is committed; the page the
user lands on (job_views.job_detail) polls `job_progress` until the job is done or failed. The app's
task is thin: it calls `run_job(job_id=, work=)`, where `work(job, progress)` does the work (validated
first, applied in one transaction) and returns the summary shown when it is done, or (summary, the URL
of the page to continue to, e.g. the record it made).

Progress lives in the cache, not in the job's row: the work runs inside one transaction, and a row
updated inside it stays invisible to the polling page until the end. The row gets the final figures.
Without a broker (the demo: CELERY_TASK_ALWAYS_EAGER) the task runs in the web process right after the
commit, so the page the user is sent to shows the finished job.

A job is idempotent: a finished job is never run again (a redelivered message finds it done), and a run
that fails inside its transaction leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from branchtrack.web.background_jobs.models import BackgroundJob

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
PROGRESS_EVERY_SECONDS = 0.5


class JobFailed(Exception):
    """The work found a reason not to go on; its message is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


class JobProgress:
    """Rows done / total of a running job, written to the cache at most every half second."""

    def __init__(self, job_id: int, on_write: Callable[[int, int], None] | None = None):
        self.job_id = job_id
        self.done = 0
        self.total = 0
        self._written_at = 0.0
        self._on_write = on_write

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._write()

    def advance(self, done: int) -> None:
        self.done = done
        if done >= self.total or time.monotonic() - self._written_at >= PROGRESS_EVERY_SECONDS:
            self._write()

    def _write(self) -> None:
        self._written_at = time.monotonic()
        try:
            cache.set(_progress_key(self.job_id), (self.done, self.total), timeout=24 * 3600)
        except Exception:  # Redis down: the job goes on, the page shows less
            logger.warning("Progress of job %s not stored", self.job_id, exc_info=True)
        if self._on_write is not None:
            self._on_write(self.done, self.total)


def progress_of(job: BackgroundJob) -> tuple[int, int]:
    """(rows done, rows in all): the cache's figures while the job runs, the row's once it ended."""
    if job.status == BackgroundJob.Status.RUNNING:
        try:
            stored = cache.get(_progress_key(job.pk))
        except Exception:
            stored = None
        if stored:
            return int(stored[0]), int(stored[1])
    return job.rows_done, job.rows_total


def start_job(
    *,
    kind: str,
    title: str,
    user,
    task,
    payload: dict | None = None,
    upload: bytes | None = None,
    done_url: str = "",
) -> BackgroundJob:
    """Record a job and queue `task(job_id=)` once the row is committed."""
    with transaction.atomic():
        job = BackgroundJob.objects.create(
            kind=kind,
            title=title,
            requested_by=user,
            language=translation.get_language() or "zh-hans",
            payload=payload or {},
            upload=upload,
            done_url=done_url,
        )
        transaction.on_commit(lambda: _enqueue(task, job_id=job.pk))
    return job


def _enqueue(task, *, job_id: int) -> None:
    from kombu.exceptions import OperationalError as BrokerUnavailable

    try:
        task.delay(job_id=job_id)
    except (BrokerUnavailable, ConnectionError) as exc:
        logger.warning("Job %s not queued: %s", job_id, exc)
        job = BackgroundJob.objects.get(pk=job_id)
        with translation.override(job.language):
            _finish(
                job, error=_("The job queue is unavailable; nothing was changed. Try again in a few minutes.")
            )


def run_job(
    *,
    job_id: int,
    work: Callable[[BackgroundJob, JobProgress], str | tuple[str, str]],
    final_attempt: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> BackgroundJob:
    """Run a queued job's work and record how it ended; a finished job is left alone."""
    job = BackgroundJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=BackgroundJob.Status.RUNNING, started_at=timezone.now(), rows_done=0, error=""
    )
    job.status = BackgroundJob.Status.RUNNING
    progress = JobProgress(job.pk, on_write=on_progress)
    with translation.override(job.language):
        try:
            message = work(job, progress)
        except JobFailed as exc:
            _finish(job, error=exc.message, progress=progress)
        except ValidationError as exc:
            _finish(job, error=" ".join(exc.messages), progress=progress)
        except TRANSIENT_ERRORS as exc:
            if not final_attempt:
                BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.QUEUED)
                raise
            logger.exception("Job %s failed", job.pk)
            _finish(job, error=_("The database could not be reached: %(reason)s") % {"reason": exc})
        except Exception as exc:
            logger.exception("Job %s failed", job.pk)
            _finish(job, error=_("The job failed: %(reason)s") % {"reason": exc or type(exc).__name__})
        else:
            message, done_url = message if isinstance(message, tuple) else (message, job.done_url)
            _finish(job, message=message, progress=progress, done_url=done_url)
    job.refresh_from_db()
    return job


def _finish(
    job: BackgroundJob,
    *,
    message: str = "",
    error: str = "",
    progress: JobProgress | None = None,
    done_url: str | None = None,
):
    BackgroundJob.objects.filter(pk=job.pk).update(
        done_url=job.done_url if done_url is None else done_url,
        status=BackgroundJob.Status.FAILED if error else BackgroundJob.Status.DONE,
        finished_at=timezone.now(),
        message=message,
        error=error,
        rows_done=progress.done if progress else 0,
        rows_total=progress.total if progress else 0,
        upload=None,
    )
    with contextlib.suppress(Exception):
        cache.delete(_progress_key(job.pk))
