"""Issue 19's background jobs at scale, each in a child process (its own peak memory): publishing the
tracking list in its job, and an organisation import of 100,000 rows in its job."""

from __future__ import annotations

import csv
import io
import resource
import time

IMPORT_ROWS = 100_000
IMPORT_PREFIX = "BXI"  # codes of the branches the import creates; removed afterwards


def publish_in_job() -> dict:
    from bench.generate import ADMIN_USERNAME, YEAR
    from branchtrack.web.background_jobs.models import BackgroundJob
    from org.models import User
    from projects import services
    from projects.models import RatingRound

    admin = User.objects.get(username=ADMIN_USERNAME)
    rating_round = RatingRound.objects.get(year=YEAR)
    job = BackgroundJob.objects.create(
        kind="projects.publish",
        title="bench",
        requested_by=admin,
        payload={"round": rating_round.pk, "reason": "bench: publishing again"},
    )
    started = time.perf_counter()
    job = services.run_publish_job(job_id=job.pk)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "status": job.status, "rows": job.rows_done, "error": job.error}


def organisation_file(rows: int) -> bytes:
    from org.models import Unit

    units = list(Unit.objects.filter(depth__gte=2).values_list("code", flat=True)) or ["C"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["类型", "编码", "名称", "上级编码", "书记", "党员人数", "是否有效"])
    for number in range(rows):
        unit = units[number % len(units)]
        writer.writerow(
            ["党支部", f"{IMPORT_PREFIX}{number:06d}", f"导入支部{number}", unit, "张三", "12", "是"]
        )
    return text.getvalue().encode("utf-8")


def org_import_in_job() -> dict:
    from django.conf import settings

    from bench.generate import ADMIN_USERNAME
    from branchtrack.web.background_jobs.models import BackgroundJob
    from branchtrack.web.import_page import run_table_import_job
    from org.imports import ORGANISATION_IMPORTER
    from org.models import Branch, User

    # The figure is 100,000 rows; the shipped bound is 20,000 (settings.IMPORT_LIMITS raise it).
    settings.IMPORT_LIMITS = {
        **settings.IMPORT_LIMITS,
        "max_rows": IMPORT_ROWS + 10,
        "max_bytes": 64 * 2**20,
        "max_cells": 10 * IMPORT_ROWS,
    }
    admin = User.objects.get(username=ADMIN_USERNAME)
    data = organisation_file(IMPORT_ROWS)
    job = BackgroundJob.objects.create(
        kind="import:organisation",
        title="bench",
        requested_by=admin,
        payload={"filename": "bench.csv"},
        upload=data,
    )
    started = time.perf_counter()
    job = run_table_import_job(job_id=job.pk, importer=ORGANISATION_IMPORTER)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # before the clean-up below
    created = Branch.objects.filter(code__startswith=IMPORT_PREFIX).count()
    Branch.history.filter(code__startswith=IMPORT_PREFIX).delete()
    Branch.objects.filter(code__startswith=IMPORT_PREFIX).delete()
    return {
        "seconds": seconds,
        "status": job.status,
        "rows": job.rows_done,
        "created": created,
        "error": job.error[:300],
        "file_bytes": len(data),
        "peak_rss_mb": round(peak_kb / 1024),
    }


def rollup_once() -> dict:
    from bench.generate import CAMPAIGN_END, YEAR
    from supervision.models import Campaign
    from supervision.rollup import rollup_coverage

    campaign = Campaign.objects.get(year=YEAR)
    started = time.perf_counter()
    rollup_coverage(campaign=campaign, day=CAMPAIGN_END)
    return {"seconds": time.perf_counter() - started}
