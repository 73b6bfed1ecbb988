"""Periodic (beat) tasks that run once per schedule slot, however many beat and worker hosts there are.

With two hosts each running beat (a failover pair, or a second host started by mistake) every periodic
job is queued twice. A beat task therefore claims its slot first: one `SET key value NX PX slot` in the
shared cache (Redis in production; Django's `cache.add` is exactly that command), keyed by the task's
name and the slot (the time divided by the schedule's period). The first run to claim it does the work;
any other run of the same slot finds the key taken and returns at once. A retry of the claiming run
(autoretry) carries the same task id, which is the key's value, so it is let through.

If the cache cannot be reached the run goes ahead: every beat job is idempotent, so running it twice
costs time, while skipping it would lose a night's catch-up. A direct call (`task()`, as tests and
management commands do) takes no lock.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import Task, shared_task
from django.core.cache import cache

logger = logging.getLogger(__name__)

SKIPPED = "skipped: another run has this slot"


def slot_key(*, name: str, slot_seconds: int, now: float | None = None) -> str:
    """The lock's key: the task's name and the number of the period `now` falls in."""
    slot = int((time.time() if now is None else now) // slot_seconds)
    return f"beat-lock:{name}:{slot_seconds}:{slot}"


def claim_slot(*, name: str, slot_seconds: int, run_id: str, now: float | None = None) -> bool:
    """True when this run may do the slot's work: it claimed the slot, or claimed it earlier (a retry)."""
    key = slot_key(name=name, slot_seconds=slot_seconds, now=now)
    try:
        if cache.add(key, run_id, timeout=slot_seconds):
            return True
        return cache.get(key) == run_id
    except Exception:  # the cache (Redis) is down: better twice than never; the jobs are idempotent
        logger.warning("Beat lock for %s not available; running without it", name, exc_info=True)
        return True


class OncePerSlotTask(Task):
    """A Celery task that does its work at most once per `slot_seconds` across every host."""

    slot_seconds: int = 0

    def __call__(self, *args, **kwargs):
        run_id = self.request.id
        claimed = not (run_id and self.slot_seconds) or claim_slot(
            name=self.name, slot_seconds=self.slot_seconds, run_id=run_id
        )
        if not claimed:
            logger.info("Beat task %s skipped: this slot already ran elsewhere", self.name)
            return SKIPPED
        return super().__call__(*args, **kwargs)


def beat_task(*, name: str, once_per: timedelta, **options):
    """Declare a periodic task that runs once per `once_per` (its schedule's period) on all hosts.

    Use it for every task in CELERY_BEAT_SCHEDULE (tests/test_beat_lock.py checks that); `once_per` is
    the period of its schedule entry (a daily job: one day; every five minutes: five minutes).
    """
    return shared_task(name=name, base=OncePerSlotTask, slot_seconds=int(once_per.total_seconds()), **options)
