"""Prometheus metrics: requests and their queries (counted as they happen), the Celery queue and the age
of each campaign's roll-up (read from Redis and the database when /metrics is scraped).

With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (deploy/branchtrack.env.example): each
worker writes its counters there and /metrics adds them up (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import json
import os
import time

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from operations.task_context import PUBLISHED_AT_HEADER
from supervision.models import CoverageSnapshot

REQUESTS = Counter(
    "branchtrack_http_requests_total",
    "HTTP requests answered, by view, method and status code.",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "branchtrack_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DATABASE_QUERIES = Counter(
    "branchtrack_db_queries_total", "SQL statements run while answering requests, by view.", ["view"]
)

# kombu's Redis transport keeps a queue as a list per priority step; the plain name holds priority 0.
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def celery_queue_stats(*, queue: str = "celery", now: float | None = None) -> tuple[int, float] | None:
    """(messages waiting, age in seconds of the oldest) in Redis, or None without a Redis broker."""
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        return None
    import redis

    client = redis.Redis.from_url(broker, socket_connect_timeout=1, socket_timeout=1)
    try:
        length = 0
        oldest = None
        for suffix in PRIORITY_SUFFIXES:
            key = queue + suffix
            length += client.llen(key)
            # kombu pushes on the left and takes from the right: the oldest message is the last one.
            tail = client.lindex(key, -1)
            if tail is not None:
                published = json.loads(tail).get("headers", {}).get(PUBLISHED_AT_HEADER)
                if published is not None:
                    oldest = published if oldest is None else min(oldest, published)
    finally:
        client.close()
    age = 0.0 if oldest is None else max((now or time.time()) - float(oldest), 0.0)
    return length, age


class ScrapeTimeCollector(Collector):
    """Figures read when Prometheus asks: the task queue and the roll-up age per active campaign."""

    def collect(self):
        queue = GaugeMetricFamily("branchtrack_celery_queue_length", "Tasks waiting in the Celery queue.")
        oldest = GaugeMetricFamily(
            "branchtrack_celery_oldest_task_age_seconds", "Age of the oldest task waiting in the queue."
        )
        try:
            stats = celery_queue_stats()
        except Exception:  # noqa: BLE001 - Redis down: no queue figures, the rest still answers
            stats = None
        if stats is not None:
            queue.add_metric([], stats[0])
            oldest.add_metric([], stats[1])
        yield queue
        yield oldest

        rollup_age = GaugeMetricFamily(
            "branchtrack_rollup_age_seconds",
            "Seconds since the newest coverage roll-up of each started campaign was computed.",
            labels=["campaign"],
        )
        now = time.time()
        latest = (
            # The campaigns the nightly job rolls up: every one that has started.
            CoverageSnapshot.objects.filter(campaign__starts_on__lte=timezone.localdate())
            .values("campaign_id")
            .annotate(computed=Max("computed_at"))
        )
        for row in latest:
            rollup_age.add_metric([str(row["campaign_id"])], now - row["computed"].timestamp())
        yield rollup_age


SCRAPE_TIME = ScrapeTimeCollector()


def exposition() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, REQUEST_SECONDS, DATABASE_QUERIES):
            registry.register(collector)
    registry.register(SCRAPE_TIME)
    return generate_latest(registry)
