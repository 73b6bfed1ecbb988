"""Work the runner does in a child process: its own connection, and its own peak memory to read."""

from __future__ import annotations

import json
import os
import sys
import time

RESULT_PREFIX = "BENCH-RESULT "


def emit(payload: dict) -> None:
    sys.stdout.write(RESULT_PREFIX + json.dumps(payload) + "\n")
    sys.stdout.flush()


def export_year(fmt: str = "xlsx") -> dict:
    """Build the year-end workbook (or the PDF sheets) of the whole company with the assessment app's own
    job runner."""
    from bench.generate import ADMIN_USERNAME, YEAR
    from bench.post import optional

    run_export = optional("assessment.services", "run_export")
    if run_export is None:
        return {"built": False}
    from assessment.models import ExportJob
    from org.models import User

    admin = User.objects.get(username=ADMIN_USERNAME)
    job = ExportJob.objects.create(year=YEAR, unit=None, format=fmt, requested_by=admin)
    started = time.perf_counter()
    job = run_export(job_id=job.pk)
    seconds = time.perf_counter() - started
    payload = {
        "built": True,
        "seconds": seconds,
        "status": job.status,
        "rows": job.rows_done,
        "error": job.error,
        "bytes": job.file.size if job.file else 0,
    }
    if job.file and job.file.name.endswith(".zip"):
        import zipfile

        with zipfile.ZipFile(job.file.path) as archive:
            payload["documents"] = len(archive.namelist())
    if job.file:
        job.file.delete(save=False)
    job.delete()
    return payload


def run_child(task: str) -> int:
    if task == "queries":
        from bench.pages import page_query_counts

        emit({"counts": page_query_counts()})
    elif task == "export":
        emit(export_year())
    elif task == "pdfs":
        emit(export_year("pdf"))
    elif task == "publish_job":
        from bench.jobs import publish_in_job

        emit(publish_in_job())
    elif task == "org_import_job":
        from bench.jobs import org_import_in_job

        emit(org_import_in_job())
    elif task == "rollup":
        from bench.jobs import rollup_once

        emit(rollup_once())
    else:
        raise SystemExit(f"unknown task {task}")
    return 0


def child_command(database_url: str, task: str) -> list[str]:
    return [sys.executable, "-m", "bench", "--database-url", database_url, "child", task]


def run_child_process(database_url: str, task: str, *, env: dict | None = None) -> tuple[dict, int]:
    """Run a child task; returns its result and its peak resident memory in bytes (Linux ru_maxrss)."""
    import subprocess

    from django.conf import settings

    process = subprocess.Popen(
        child_command(database_url, task),
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        text=True,
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"bench child {task} failed ({process.returncode})")
    lines = [line for line in output.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        raise RuntimeError(f"bench child {task} printed no result")
    return json.loads(lines[-1][len(RESULT_PREFIX) :]), usage.ru_maxrss * 1024
