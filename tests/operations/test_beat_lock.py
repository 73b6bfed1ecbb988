"""Beat jobs run once per slot whatever the number of beat and worker hosts (branchtrack.web.beat)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from celery import current_app
from django.conf import settings

from branchtrack.celery import app as celery_app
from branchtrack.web.beat import SKIPPED, OncePerSlotTask, beat_task, claim_slot

work_done: list[str] = []
both_started = threading.Barrier(2, timeout=10)


@beat_task(name="tests.beat_lock.count_run", once_per=timedelta(hours=1))
def count_run(label: str) -> str:
    work_done.append(label)
    return label


@pytest.fixture
def fresh_runs():
    work_done.clear()
    yield
    work_done.clear()


def test_two_concurrent_runs_of_one_slot_do_the_work_once(fresh_runs):
    results: list[str] = []

    def run(label: str) -> None:
        both_started.wait()
        results.append(count_run.apply(args=[label]).get())

    threads = [threading.Thread(target=run, args=(label,)) for label in ("host-a", "host-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(work_done) == 1
    assert sorted(results) == sorted([work_done[0], SKIPPED])


def test_a_retry_of_the_claiming_run_is_let_through_and_the_next_slot_runs_again():
    now = 1_700_000_000.0
    assert claim_slot(name="tests.job", slot_seconds=300, run_id="run-1", now=now)
    assert claim_slot(name="tests.job", slot_seconds=300, run_id="run-1", now=now + 10)  # its retry
    assert not claim_slot(name="tests.job", slot_seconds=300, run_id="run-2", now=now + 20)
    assert claim_slot(name="tests.job", slot_seconds=300, run_id="run-3", now=now + 300)


def test_a_direct_call_takes_no_lock(fresh_runs):
    assert count_run("first") == "first"
    assert count_run("second") == "second"
    assert work_done == ["first", "second"]


def test_with_the_cache_down_the_job_runs_rather_than_never(fresh_runs, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert count_run.apply(args=["alone"]).get() == "alone"
    assert work_done == ["alone"]


def test_every_beat_schedule_entry_runs_once_per_slot():
    celery_app.loader.import_default_modules()
    for entry, spec in settings.CELERY_BEAT_SCHEDULE.items():
        task = current_app.tasks[spec["task"]]
        assert isinstance(task, OncePerSlotTask), f"{entry}: declare {spec['task']} with @beat_task"
        schedule = spec["schedule"]
        if isinstance(schedule, int | float):
            assert task.slot_seconds <= schedule, f"{entry}: a slot longer than the schedule skips runs"
