from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from branchtrack.web.import_page import run_table_import_job
from branchtrack.web.jobs import TRANSIENT_ERRORS
from org.imports import ORGANISATION_IMPORTER


@shared_task(name="branchtrack.health_check")
def health_check() -> str:
    """Proves a worker takes jobs from the broker; the time lets an operator see when it last ran."""
    cache.set("branchtrack:health_check", timezone.now().isoformat(), timeout=None)
    return "ok"


@shared_task(
    name="org.import_organisation", bind=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=5, max_retries=3
)
def import_organisation_job(self, *, job_id: int) -> str:
    """A confirmed organisation import (branchtrack.web.import_page); safe to run twice."""
    final = self.request.retries >= self.max_retries
    return run_table_import_job(job_id=job_id, importer=ORGANISATION_IMPORTER, final_attempt=final).status
