"""Writes of the year-end assessment: start and run export jobs, freeze a year."""

from __future__ import annotations

import io
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessment import signals
from assessment.models import ExportJob, SnapshotRow, SnapshotUnit, YearSnapshot
from assessment.pdf import write_pdf_sheets
from assessment.selectors import assessment_rows, live_rowset
from assessment.workbook import Progress, write_csv, write_workbook
from branchtrack.web.replica import heavy_reads
from org.models import Unit, User

logger = logging.getLogger(__name__)

# Errors worth another attempt: the database went away for a moment (restart, failover).
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
SNAPSHOT_BATCH = 2000


def start_export(*, user: User, year: int, unit: Unit | None, fmt: str = ExportJob.Format.XLSX) -> ExportJob:
    """Record the request and hand it to a worker once the row is committed."""
    with transaction.atomic():
        job = ExportJob.objects.create(
            year=year,
            unit=unit,
            format=fmt,
            language=translation.get_language() or "zh-hans",
            requested_by=user,
        )
        transaction.on_commit(lambda: enqueue_export(job_id=job.pk))
    return job


def enqueue_export(*, job_id: int) -> None:
    """Hand the job to a worker; with the broker down the job fails at once with a reason to read."""
    from kombu.exceptions import OperationalError as BrokerUnavailable

    from assessment.tasks import build_assessment_export

    try:
        build_assessment_export.delay(job_id)
    except (BrokerUnavailable, ConnectionError) as exc:
        logger.warning("Assessment export %s not queued: %s", job_id, exc)
        job = ExportJob.objects.get(pk=job_id)
        with translation.override(job.language):
            _mark_failed(
                job_id, _("The export queue is unavailable; start the export again in a few minutes.")
            )


def export_filename(job: ExportJob, *, extension: str | None = None) -> str:
    scope = job.unit.code if job.unit_id else "all"
    return f"assessment-{job.year}-{slugify(scope) or job.unit_id}-{job.pk}.{extension or job.format}"


def file_extension(job: ExportJob) -> str:
    """The stored file's extension: the format's, except PDF sheets of several units come as a .zip."""
    if job.file:
        return os.path.splitext(job.file.name)[1].lstrip(".") or job.format
    return job.format


def download_name(job: ExportJob) -> str:
    """The name the browser saves the file under: 年度党建绩效考核表-2020-城东供电分公司.xlsx."""
    with translation.override(job.language):
        title = _("Party-building assessment")
    return f"{title}-{job.year}-{job.scope_name}.{file_extension(job)}"


def issuing_unit_name(job: ExportJob) -> str:
    """Who issues the PDF sheets: the scope unit, or the company (the root unit) for a company-wide export."""
    if job.unit_id:
        return job.unit.name
    root = Unit.get_root_nodes().values_list("name", flat=True).first()
    return root or job.scope_name


def run_export(
    *, job_id: int, final_attempt: bool = True, on_progress: Callable[[int], None] | None = None
) -> ExportJob:
    """Build the job's file and store it; idempotent (a finished job is left alone).

    Any failure marks the job failed with its reason and stores no file. A transient database error
    on a non-final attempt puts the job back in the queue and re-raises, so the task retries it.
    `on_progress(rows_done)` is called after each progress write to the job row.
    """
    job = ExportJob.objects.select_related("unit").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job
    with translation.override(job.language):
        try:
            # The rows are read from a replica when there is one (branchtrack/web/replica.py).
            with heavy_reads():
                _build(job, on_progress=on_progress)
        except TRANSIENT_ERRORS as exc:
            if not final_attempt:
                ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.QUEUED, rows_done=0)
                raise
            logger.exception("Assessment export %s failed", job.pk)
            _mark_failed(job.pk, _("The database could not be reached: %(reason)s") % {"reason": exc})
        except OSError as exc:
            logger.exception("Assessment export %s failed", job.pk)
            _mark_failed(job.pk, _("The file could not be written: %(reason)s") % {"reason": exc})
        except Exception as exc:
            logger.exception("Assessment export %s failed", job.pk)
            _mark_failed(job.pk, _("The export failed: %(reason)s") % {"reason": exc or type(exc).__name__})
    job.refresh_from_db()
    if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
        signals.export_finished.send(sender=ExportJob, job=job)
    return job


def _build(job: ExportJob, *, on_progress: Callable[[int], None] | None = None) -> None:
    if job.file:
        # A half-finished earlier attempt: drop its file before making a new one.
        job.file.delete(save=False)
    rowset = assessment_rows(year=job.year, unit=job.unit)
    total = rowset.count()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        rows_total=total,
        rows_done=0,
        error="",
        from_snapshot=rowset.snapshot is not None,
        file="",
    )

    def report(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
        if on_progress is not None:
            on_progress(done)

    progress = Progress(total=total, report=report)
    extension = job.format
    with tempfile.TemporaryFile() as handle:
        if job.format == ExportJob.Format.PDF:
            extension = write_pdf_sheets(
                handle, rowset=rowset, issuer=issuing_unit_name(job), progress=progress
            )
        elif job.format == ExportJob.Format.CSV:
            text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
            write_csv(text, rowset=rowset, progress=progress)
            text.flush()
            text.detach()
        else:
            write_workbook(handle, rowset=rowset, scope_name=job.scope_name, progress=progress)
        handle.seek(0)
        # Only a complete file reaches the storage: it is written to a temporary file first.
        job.file.save(export_filename(job, extension=extension), File(handle), save=False)
    try:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE,
            finished_at=timezone.now(),
            rows_done=progress.done,
            file=job.file.name,
        )
    except Exception:
        job.file.delete(save=False)
        raise


def _mark_failed(job_id: int, reason: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.FAILED, finished_at=timezone.now(), error=reason, file=""
    )


def freeze_year(*, year: int, user: User | None) -> YearSnapshot:
    """Store the year's rows as they are now; from then on exports of the year read these."""
    with transaction.atomic():
        if YearSnapshot.objects.select_for_update().filter(year=year).exists():
            raise ValidationError(_("The year %(year)s is already frozen.") % {"year": year})
        rowset = live_rowset(year=year, scope_path="")
        snapshot = YearSnapshot.objects.create(
            year=year,
            frozen_by=user,
            weights=rowset.weights.to_json(),
            area_names=list(rowset.area_names),
            as_of={name: day.isoformat() for name, day in rowset.as_of.items()},
        )
        # The tree as it stands: frozen rows are found through it by unit identity, never by a live path.
        SnapshotUnit.objects.bulk_create(
            (
                SnapshotUnit(snapshot=snapshot, unit_id=pk, code=code, name=name, path=path, depth=depth)
                for pk, code, name, path, depth in Unit.objects.values_list(
                    "pk", "code", "name", "path", "depth"
                )
            ),
            batch_size=SNAPSHOT_BATCH,
        )
        batch: list[SnapshotRow] = []
        for row in rowset:
            batch.append(SnapshotRow(snapshot=snapshot, **asdict(row)))
            if len(batch) >= SNAPSHOT_BATCH:
                SnapshotRow.objects.bulk_create(batch)
                batch.clear()
        SnapshotRow.objects.bulk_create(batch)
    return snapshot
