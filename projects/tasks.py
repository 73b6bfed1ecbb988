"""Celery tasks of the projects app: thin, safe to run twice."""

from celery import shared_task

from branchtrack.web.jobs import TRANSIENT_ERRORS
from projects import services


@shared_task(
    name="projects.publish_tracking_list",
    bind=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    max_retries=3,
)
def publish_tracking_list_job(self, *, job_id: int) -> str:
    """A publishing job (services.start_publishing); a finished job is left alone."""
    final = self.request.retries >= self.max_retries
    return services.run_publish_job(job_id=job_id, final_attempt=final).status
