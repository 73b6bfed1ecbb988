"""Sessions from the cache, written through to the database; Redis down falls back to the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TEST_PASSWORD
from tests.responses import followed
from tests.security.test_redis_failure import redis_down  # noqa: F401 - the fixture


def session_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if "django_session" in query["sql"]]


def test_a_signed_in_page_reads_the_session_from_the_cache_not_the_database(client, org):
    assert (
        client.post(
            "/accounts/login/", {"username": org.staff.username, "password": TEST_PASSWORD}
        ).status_code
        == 302
    )
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/org/branches/").status_code == 200
    assert session_queries(queries) == []


@pytest.mark.usefixtures("redis_down")
def test_with_redis_down_sign_in_pages_and_sign_out_still_work(client, org):
    signed_in = client.post("/accounts/login/", {"username": org.staff.username, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/org/branches/").status_code == 200
    assert session_queries(queries)  # from the database, as the cache cannot answer
    client.post("/accounts/logout/")
    followed(client, client.get("/org/branches/"), to="/accounts/login/?next=/org/branches/")


def test_a_session_exists_in_the_cache_or_the_database_and_is_deleted_from_both(db):
    from django.core.cache import cache

    from operations.sessions import SessionStore

    session = SessionStore()
    session["answer"] = 42
    session.create()
    key = session.session_key
    assert SessionStore().exists(key)
    cache.delete(session.cache_key)
    assert SessionStore().exists(key)  # the database still has it
    assert SessionStore(key).load() == {"answer": 42}  # and refills the cache
    assert cache.get(session.cache_key) == {"answer": 42}
    SessionStore(key).delete()
    assert not SessionStore().exists(key)
    assert cache.get(session.cache_key) is None


def test_a_cached_session_lives_minutes_not_weeks_so_a_sign_out_missed_by_the_cache_ends_soon(db, settings):
    # A sign-out while Redis is unreachable deletes the session from the database only: its cached copy
    # must not outlive the outage by the session's two weeks.
    from django.core.cache import cache

    from operations.sessions import SessionStore

    settings.SESSION_CACHE_MAX_AGE = 300
    timeouts = []

    class RecordingCache:
        def __getattr__(self, name):
            return getattr(cache, name)

        def set(self, key, value, timeout=None, **kwargs):
            timeouts.append(timeout)
            return cache.set(key, value, timeout, **kwargs)

    session = SessionStore()
    session._cache = RecordingCache()
    session["answer"] = 42
    session.create()  # saved: cached
    cache.delete(session.cache_key)
    reader = SessionStore(session.session_key)
    reader._cache = RecordingCache()
    assert reader.load() == {"answer": 42}  # refilled from the database: cached again
    assert len(timeouts) == 2 and all(0 < timeout <= 300 for timeout in timeouts), timeouts
