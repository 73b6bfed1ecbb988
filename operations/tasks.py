import time
from datetime import timedelta

from celery.signals import worker_ready
from django.core.cache import cache

from branchtrack.web.beat import beat_task
from operations.readiness import HEARTBEAT_SECONDS, WORKER_HEARTBEAT_KEY


@beat_task(
    name="operations.worker_heartbeat",
    once_per=timedelta(seconds=HEARTBEAT_SECONDS),
    ignore_result=True,
    expires=HEARTBEAT_SECONDS,
)
def worker_heartbeat() -> None:
    """Beat queues this every 30 s; a worker running it proves to /readyz that tasks get done."""
    cache.set(WORKER_HEARTBEAT_KEY, time.time(), timeout=None)


@worker_ready.connect
def heartbeat_when_the_worker_starts(**kwargs) -> None:
    cache.set(WORKER_HEARTBEAT_KEY, time.time(), timeout=None)
