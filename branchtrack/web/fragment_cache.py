"""Rendered page fragments kept in the cache, keyed by everything they are drawn from.

A fragment is stored only when its key names every input that can change it (for the coverage
dashboard: the campaign, the version of its snapshots, the user's scope, the language and the query
string), so a hit is the page the user would have got; the timeout bounds what the key cannot see
(a unit renamed since). The cache is Redis: when it is down, the fragment is rendered every time and
the page still works.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Hashable

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)


def fragment_key(name: str, *parts: Hashable) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"fragment:{name}:{digest}"


def cached_fragment(
    key: str, render: Callable[[], tuple[str, int]], *, timeout: int
) -> tuple[SafeString, int]:
    """The fragment stored under `key` with status 200, or `render()`'s (html, status).

    Only a 200 is stored: a fragment showing a form's errors is rendered each time.
    """
    try:
        html = cache.get(key)
    except Exception:
        logger.warning("fragment cache unavailable; rendering %s", key, exc_info=True)
        html = None
        timeout = 0
    if html is not None:
        return mark_safe(html), 200
    html, status = render()
    if status == 200 and timeout:
        try:
            cache.set(key, str(html), timeout)
        except Exception:
            logger.warning("fragment cache unavailable; %s not stored", key, exc_info=True)
    return mark_safe(html), status
