"""Sessions read from the cache (Redis) and written through to the database: Django's cached_db, except
that a cache that is down never fails a request (the database alone answers, as with the db engine).

Django's cached_db already survives a failed cache read and write on save; this also covers the refill after
a database read, `exists` and `delete` (sign-out). A sign-out while Redis is down cannot remove the cached
copy, so the cached copy lives at most SESSION_CACHE_MAX_AGE (5 minutes by default), not the session's
two weeks: a sign-out during a Redis outage is honoured within minutes of Redis coming back, and is logged.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def _cache_age(self, **expiry) -> int:
        return min(self.get_expiry_age(**expiry), getattr(settings, "SESSION_CACHE_MAX_AGE", 300))

    def save(self, must_create=False):
        db.SessionStore.save(self, must_create)
        try:
            self._cache.set(self.cache_key, self._session, self._cache_age())
        except Exception:  # noqa: BLE001
            logger.warning("Session cache unavailable; session saved to the database only")

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - the cache is an optimisation; the database is the truth
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self._cache_age(expiry=stored.expire_date))
        except Exception:  # noqa: BLE001
            logger.warning("Session cache unavailable; session read from the database only")
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001
            pass
        return db.SessionStore.exists(self, session_key)

    def delete(self, session_key=None):
        db.SessionStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # noqa: BLE001
            logger.error(
                "Session cache unavailable: a deleted session stays cached for up to SESSION_CACHE_MAX_AGE"
            )
