"""The dashboard's snapshots come from a real PostgreSQL streaming replica (scripts/replica.sh, on
127.0.0.1:5433), and a user who just wrote reads the primary (branchtrack/web/replica.py).

The test starts the replica through the script (pg_basebackup of the local server) or skips saying
why. Replay on the replica is paused while the primary moves on, so the replica is provably behind:
what a page shows tells which server it read.
"""

from __future__ import annotations

import copy
import datetime
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from branchtrack.web.replica import REPLICA, WROTE_COOKIE
from supervision.models import CoverageSnapshot
from supervision.rollup import rollup_coverage
from tests.supervision.factories import VisitFactory

ROOT = Path(__file__).resolve().parents[2]
DAY = datetime.date(2020, 12, 31)
SNAPSHOT_TABLE = CoverageSnapshot._meta.db_table


@pytest.fixture(scope="session")
def replica_connection(django_db_setup, django_db_blocker):
    primary = connections["default"].settings_dict
    if (
        str(primary.get("HOST")) not in ("127.0.0.1", "localhost")
        or str(primary.get("PORT") or 5432) != "5432"
    ):
        pytest.skip("the replica script copies the local server on 127.0.0.1:5432; this run uses another")
    started = subprocess.run(
        [str(ROOT / "scripts" / "replica.sh"), "start"], capture_output=True, text=True, timeout=300
    )
    if started.returncode != 0:
        pytest.skip(f"scripts/replica.sh could not start the replica: {started.stderr.strip()[-300:]}")
    if (
        REPLICA not in connections.settings
    ):  # REPLICA_DATABASE_URL unset: point the alias at the script's replica, as settings would
        settings_dict = copy.deepcopy(primary)
        settings_dict.update(PORT="5433", TEST={"MIRROR": "default"})
        connections.settings[REPLICA] = settings_dict
    with django_db_blocker.unblock():
        _wait_until(_replica_answers, what="the test database on the replica")
    yield REPLICA
    connections[REPLICA].close()


@pytest.fixture
def replica_alias(replica_connection, settings):
    # The router routes to the replica only while settings name it: in this test, not in the others.
    settings.REPLICA_DATABASE = REPLICA
    return REPLICA


def _replica_answers() -> bool:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            return cursor.fetchone()[0]
    except Exception:
        connections[REPLICA].close()
        return False


def _wait_until(check, *, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.2)


def _replay(action: str) -> None:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{action}()")


def _signed_in_a_while_ago(login, user):
    client = login(user)
    del client.cookies[WROTE_COOKIE]  # signing in is a write too; this user did it long ago
    return client


def _snapshot_queries(captured) -> int:
    return sum(SNAPSHOT_TABLE in query["sql"] for query in captured.captured_queries)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_the_dashboard_reads_the_replica_and_a_user_who_just_saved_reads_the_primary(
    replica_alias, login, org, campaign
):
    VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 4, 1))
    rollup_coverage(campaign=campaign, day=DAY)  # 1 of 3 branches visited
    _wait_until(
        lambda: CoverageSnapshot.objects.using(REPLICA).filter(campaign=campaign).exists(),
        what="the snapshots to reach the replica",
    )
    _replay("pause")
    try:
        # The primary moves on; the paused replica still has yesterday's figures.
        VisitFactory(campaign=campaign, branch=org.station_branch, visited_on=datetime.date(2020, 8, 1))
        rollup_coverage(campaign=campaign, day=DAY)  # 2 of 3
        client = _signed_in_a_while_ago(login, org.staff)
        url = f"/supervision/campaigns/{campaign.pk}/"

        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            page = client.get(url).content.decode()
        assert _snapshot_queries(on_replica) >= 2 and _snapshot_queries(on_primary) == 0
        assert 'data-testid="coverage-count">1/3<' in page  # the replica's (older) figures

        # The user saves something: for the next seconds every read of theirs is the primary's.
        response = client.post("/notifications/read-all/")
        assert response.status_code == 302 and WROTE_COOKIE in response.cookies
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            page = client.get(url).content.decode()
        assert _snapshot_queries(on_replica) == 0 and _snapshot_queries(on_primary) >= 2, (
            on_replica.captured_queries
        )
        assert 'data-testid="coverage-count">2/3<' in page  # just saved, read from the primary

        # Another user, who wrote nothing, still reads the replica.
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            page = _signed_in_a_while_ago(login, org.admin).get(url).content.decode()
        assert 'data-testid="coverage-count">1/3<' in page
        assert _snapshot_queries(on_replica) >= 1  # the version; the body is the one cached above
    finally:
        _replay("resume")


def test_without_a_replica_heavy_reads_stay_on_the_primary(rf, settings):
    from branchtrack.web.replica import ReadYourWritesMiddleware, heavy_read_alias, heavy_reads

    assert not settings.REPLICA_DATABASE
    with heavy_reads() as alias:
        assert alias == heavy_read_alias() == "default"
    response = ReadYourWritesMiddleware(lambda request: __import__("django.http").http.HttpResponse())(
        rf.post("/anything/")
    )
    assert WROTE_COOKIE in response.cookies  # the stamp is set anyway: a replica may be added later
