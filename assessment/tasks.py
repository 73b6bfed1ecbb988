from celery import shared_task

from assessment.services import TRANSIENT_ERRORS, run_export


@shared_task(
    name="assessment.build_export",
    bind=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    max_retries=3,
    acks_late=True,
)
def build_assessment_export(self, job_id: int) -> str:
    """Build one export job's file (see services.run_export); safe to run twice."""
    job = run_export(job_id=job_id, final_attempt=self.request.retries >= self.max_retries)
    return job.status
