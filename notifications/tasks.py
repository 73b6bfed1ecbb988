"""Celery tasks: thin wrappers over `notifications.services` and `notifications.reminders`, safe to re-run."""

from __future__ import annotations

from datetime import timedelta

from celery import current_app, shared_task
from django.db import OperationalError as DatabaseOperationalError

from branchtrack.web.beat import beat_task
from notifications import digest, reminders, services

RETRYING = {"autoretry_for": (DatabaseOperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="notifications.deliver_notices", **RETRYING)
def deliver_notices(*, notice_ids: list[int]) -> int:
    # One task per message: a slow or unreachable channel holds up only its own messages.
    delivery_ids = services.plan_deliveries(notice_ids=notice_ids)
    for delivery_id in delivery_ids:
        send_delivery.delay(delivery_id=delivery_id)
    return len(delivery_ids)


@shared_task(name="notifications.send_delivery", **RETRYING)
def send_delivery(*, delivery_id: int) -> int:
    attempt = services.attempt_delivery(delivery_id=delivery_id)
    # In the web process (no broker: the demo) a retry waits for the catch-up instead of the request.
    if attempt.retry_in is not None and not current_app.conf.task_always_eager:
        send_delivery.apply_async(kwargs={"delivery_id": delivery_id}, countdown=attempt.retry_in)
    return int(attempt.sent)


@beat_task(name="notifications.send_due_deliveries", once_per=timedelta(minutes=5), **RETRYING)
def send_due_deliveries() -> int:
    return sum(services.attempt_delivery(delivery_id=pk).sent for pk in services.due_deliveries())


@beat_task(name="notifications.send_daily_reminders", once_per=timedelta(days=1), **RETRYING)
def send_daily_reminders() -> int:
    return reminders.send_daily_reminders()


@beat_task(name="notifications.send_weekly_digests", once_per=timedelta(days=7), **RETRYING)
def send_weekly_digests() -> int:
    return digest.send_weekly_digests()
