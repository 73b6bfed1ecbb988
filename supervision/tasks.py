"""Celery tasks: thin wrappers over `supervision.rollup` and `supervision.services`, safe to re-run."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError

from branchtrack.web.beat import beat_task
from supervision import rollup, services
from supervision.models import Campaign


@shared_task(
    name="supervision.rollup_campaign_coverage",
    autoretry_for=(DatabaseOperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def rollup_campaign_coverage(*, campaign_id: int) -> int:
    # Clear the marker first: a visit completed while this runs queues a fresh job.
    services.clear_pending_rollup(campaign_id=campaign_id)
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    return rollup.rollup_coverage(campaign=campaign)


@beat_task(
    name="supervision.rollup_all_campaigns",
    once_per=timedelta(days=1),
    autoretry_for=(DatabaseOperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def rollup_all_campaigns() -> int:
    return rollup.rollup_all_campaigns()


@beat_task(
    name="supervision.escalate_overdue_problems",
    once_per=timedelta(days=1),
    autoretry_for=(DatabaseOperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def escalate_overdue_problems() -> int:
    return services.escalate_overdue_problems()


@beat_task(
    name="supervision.mark_missed_plans",
    once_per=timedelta(days=1),
    autoretry_for=(DatabaseOperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def mark_missed_plans() -> int:
    return services.mark_missed_plans()
