"""Snapshots: re-running a day replaces its rows; completing a visit queues one roll-up after commit."""

import datetime
import logging
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError

from supervision import services
from supervision.models import ChecklistItem, CoverageSnapshot, Visit
from supervision.rollup import rollup_coverage, snapshot_day
from supervision.services import ScoreInput
from supervision.tasks import rollup_campaign_coverage
from tests.database_locks import locked_by_another_session
from tests.factories import BranchFactory, UnitFactory
from tests.supervision.factories import VisitFactory

DAY = datetime.date(2020, 12, 31)


def _rows(campaign):
    return list(
        CoverageSnapshot.objects.filter(campaign=campaign)
        .order_by("day", "unit_id")
        .values_list("day", "unit_id", "active_branches", "visited_branches", "area_scores", "open_problems")
    )


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_running_the_same_day_twice_gives_the_same_rows(org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    rollup_coverage(campaign=campaign, day=DAY)
    first = _rows(campaign)
    rollup_coverage(campaign=campaign, day=DAY)

    assert _rows(campaign) == first
    assert len(first) == 5  # the total and four units
    assert CoverageSnapshot.objects.filter(campaign=campaign, unit=None).count() == 1


@pytest.mark.django_db
def test_a_rerun_replaces_the_day_with_new_figures_and_keeps_other_days(org, campaign):
    rollup_coverage(campaign=campaign, day=datetime.date(2020, 6, 30))
    rollup_coverage(campaign=campaign, day=DAY)
    VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 12, 1))
    rollup_coverage(campaign=campaign, day=DAY)

    totals = CoverageSnapshot.objects.filter(campaign=campaign, unit=None).order_by("day")
    assert [(t.day, t.visited_branches) for t in totals] == [(datetime.date(2020, 6, 30), 0), (DAY, 1)]


@pytest.mark.django_db
def test_a_finished_campaign_rolls_up_onto_its_last_day(campaign):
    assert snapshot_day(campaign, datetime.date(2026, 11, 25)) == DAY
    assert snapshot_day(campaign, datetime.date(2020, 6, 2)) == datetime.date(2020, 6, 2)


def _complete(org, campaign, branch, **kwargs):
    items = ChecklistItem.objects.filter(area__template=campaign.template)
    scores = {item.pk: ScoreInput(score=Decimal("7")) for item in items}
    return services.create_visit(
        user=org.staff,
        campaign=campaign,
        branch=branch,
        visited_on=datetime.date(2020, 6, 1),
        visitors="王芳",
        scores=scores,
        complete=kwargs.get("complete", True),
    )


@pytest.mark.django_db
def test_completing_a_visit_rolls_up_after_the_commit(org, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _complete(org, campaign, org.city_branch)
        assert not CoverageSnapshot.objects.exists()  # nothing before the commit

    assert len(callbacks) == 1
    total = CoverageSnapshot.objects.get(campaign=campaign, unit=None, day=DAY)
    assert (total.visited_branches, total.active_branches) == (1, 3)


@pytest.mark.django_db
def test_a_draft_queues_no_roll_up(org, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _complete(org, campaign, org.city_branch, complete=False)
    assert callbacks == []
    assert not CoverageSnapshot.objects.exists()


@pytest.mark.django_db
def test_saves_in_a_burst_queue_one_job(org, campaign, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(rollup_campaign_coverage, "apply_async", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        _complete(org, campaign, org.city_branch)
    with django_capture_on_commit_callbacks(execute=True):
        _complete(org, campaign, org.county_branch)

    assert queued == [{"kwargs": {"campaign_id": campaign.pk}, "countdown": services.ROLLUP_COALESCE_SECONDS}]
    # Once the job starts, the next completed visit queues a fresh one.
    services.clear_pending_rollup(campaign_id=campaign.pk)
    with django_capture_on_commit_callbacks(execute=True):
        _complete(org, campaign, org.station_branch)
    assert len(queued) == 2


@pytest.mark.django_db
def test_a_broker_outage_never_fails_the_visit(
    org, campaign, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(rollup_campaign_coverage, "apply_async", broker_down)
    with (
        caplog.at_level(logging.ERROR, logger="supervision.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        visit = _complete(org, campaign, org.city_branch)

    assert Visit.objects.get(pk=visit.pk).is_completed
    assert "nightly run catches up" in caplog.text
    # The marker is cleared, so the next save tries the broker again.
    assert cache.get(services._pending_key(campaign.pk)) is None


@pytest.mark.django_db
def test_the_management_command_rolls_up_one_campaign(org, campaign, capsys):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    call_command("rollup_coverage", "--campaign", str(campaign.pk))
    assert "1/3" in capsys.readouterr().out
    assert CoverageSnapshot.objects.filter(campaign=campaign, day=DAY).count() == 5


@pytest.mark.django_db
def test_a_cache_outage_neither_fails_the_visit_nor_stops_the_roll_up(
    org, campaign, caplog, django_capture_on_commit_callbacks
):
    dead_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with (
        override_settings(CACHES=dead_cache),
        caplog.at_level(logging.WARNING, logger="supervision.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        visit = _complete(org, campaign, org.city_branch)

    assert Visit.objects.get(pk=visit.pk).is_completed
    assert "cache unavailable" in caplog.text
    assert CoverageSnapshot.objects.get(campaign=campaign, unit=None, day=DAY).visited_branches == 1


def _rollup_statements(campaign) -> int:
    with CaptureQueriesContext(connection) as queries:
        rollup_coverage(campaign=campaign, day=DAY)
    return len(queries)


@pytest.mark.django_db
def test_a_roll_up_writes_its_rows_in_the_same_number_of_statements_for_more_units(org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    rollup_coverage(campaign=campaign, day=DAY)
    few = _rollup_statements(campaign)
    for number in range(30):
        unit = UnitFactory(parent=org.county, code=f"C-CTY-X{number}", name=f"供电所{number}")
        BranchFactory(unit=unit, code=f"B-X{number}", name=f"党支部{number}")
    many = _rollup_statements(campaign)

    assert many == few
    assert CoverageSnapshot.objects.filter(campaign=campaign, day=DAY).count() == 35
    # Every row written keeps its "+" history record (three runs: 5 + 5 + 35 rows).
    assert CoverageSnapshot.history.filter(campaign=campaign, day=DAY, history_type="+").count() == 45


@pytest.mark.django_db
def test_a_problem_found_or_resolved_rolls_up_the_open_problems(
    org, campaign, django_capture_on_commit_callbacks
):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 5, 1))
    rollup_coverage(campaign=campaign, day=DAY)

    with django_capture_on_commit_callbacks(execute=True):
        problem = services.add_finding(
            visit=visit, kind="problem", title="台账缺失", due_on=datetime.date(2020, 6, 1)
        )
    assert CoverageSnapshot.objects.get(campaign=campaign, unit=None, day=DAY).open_problems == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_problem(
            problem=problem,
            resolution="补齐台账",
            evidence="台账照片",
            resolved_on=datetime.date(2020, 5, 20),
        )
    assert CoverageSnapshot.objects.get(campaign=campaign, unit=None, day=DAY).open_problems == 0


@pytest.mark.django_db
def test_a_good_practice_queues_no_roll_up(org, campaign, django_capture_on_commit_callbacks):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.add_finding(visit=visit, kind="good_practice", title="党员责任区")
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_a_roll_up_that_meets_a_lock_is_logged_as_a_database_failure_not_a_broker_outage(
    org, campaign, caplog
):
    # Tasks run in the web process here, as on the demo: a second request holding the database used
    # to be reported as "broker unavailable", sending whoever reads the log to look at Redis.
    VisitFactory(campaign=campaign, branch=org.city_branch)
    with locked_by_another_session(CoverageSnapshot), caplog.at_level(logging.ERROR):
        services.schedule_rollup(campaign_id=campaign.pk)  # no transaction open: runs at once
    assert f"coverage roll-up for campaign {campaign.pk} failed in the database" in caplog.text
    assert "broker" not in caplog.text
    assert not CoverageSnapshot.objects.filter(campaign=campaign).exists()
    # The marker is cleared, so the next visit queues a roll-up again.
    services.schedule_rollup(campaign_id=campaign.pk)
    assert CoverageSnapshot.objects.filter(campaign=campaign).exists()
