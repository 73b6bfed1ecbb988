"""Celery tasks of the pairings app: thin, safe to run twice."""

from celery import shared_task

from branchtrack.web.import_page import run_table_import_job
from branchtrack.web.jobs import TRANSIENT_ERRORS
from pairings.imports import EXTERNAL_ORG_IMPORTER


@shared_task(
    name="pairings.import_external_orgs",
    bind=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    max_retries=3,
)
def import_external_orgs_job(self, *, job_id: int) -> str:
    """A confirmed import of external organisations (branchtrack.web.import_page)."""
    final = self.request.retries >= self.max_retries
    return run_table_import_job(job_id=job_id, importer=EXTERNAL_ORG_IMPORTER, final_attempt=final).status
