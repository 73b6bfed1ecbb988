"""The main pages, and their query counts measured with Django's test client on the current database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.generate import ADMIN_USERNAME, REVIEWER_USERNAME, YEAR
from org.models import User

NOT_BUILT = None


@dataclass(frozen=True)
class Page:
    name: str
    username: str
    url: Callable[[], str]  # raises LookupError / NoReverseMatch when the feature is not there
    # Reviewers rate only in an open round; the generated round is closed (so it can be ranked), so the
    # queue is measured with the round re-opened inside a transaction that is rolled back.
    reopen_round: bool = False


def _campaign_pk() -> int:
    from supervision.models import Campaign

    return Campaign.objects.values_list("pk", flat=True).get(year=YEAR)


def _round_pk() -> int:
    from projects.models import RatingRound

    return RatingRound.objects.values_list("pk", flat=True).get(year=YEAR)


PAGES = (
    Page("dashboard", ADMIN_USERNAME, lambda: reverse("supervision:dashboard", args=[_campaign_pk()])),
    # The dashboard's unit table, filtered and sorted through its FilterSet.
    Page(
        "unit table",
        ADMIN_USERNAME,
        lambda: reverse("supervision:dashboard", args=[_campaign_pk()]) + "?kind=county&sort=coverage",
    ),
    Page("branch list", ADMIN_USERNAME, lambda: reverse("branch_list")),
    Page("problems list", ADMIN_USERNAME, lambda: reverse("supervision:problem_list")),
    Page("reviewer queue", REVIEWER_USERNAME, lambda: reverse("projects:queue"), reopen_round=True),
    Page("ranking", ADMIN_USERNAME, lambda: reverse("projects:ranking", args=[_round_pk()])),
    Page("pairings list", ADMIN_USERNAME, lambda: reverse("pairings:pairing_list")),
)


class PageError(Exception):
    pass


class _Rollback(Exception):
    pass


def _measure(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise PageError(f"{url} answered {response.status_code}")
    return len(captured.captured_queries)


def page_query_counts() -> dict[str, int | None]:
    """{page name: queries of one request} for every main page; None where the feature is not built."""
    counts: dict[str, int | None] = {}
    clients: dict[str, Client] = {}
    for page in PAGES:
        try:
            url = page.url()
        except Exception:  # the app, its url or its data is not there yet
            counts[page.name] = NOT_BUILT
            continue
        if page.username not in clients:
            clients[page.username] = Client()
            clients[page.username].force_login(User.objects.get(username=page.username))
            # Warms the per-process caches (content types, translations, the session) for every page at
            # once: each measured page is then fetched only once, which matters when one takes a minute.
            clients[page.username].get(reverse("home"))
        client = clients[page.username]
        if not page.reopen_round:
            counts[page.name] = _measure(client, url)
            continue
        from projects.models import RatingRound

        try:
            with transaction.atomic():
                RatingRound.objects.filter(year=YEAR).update(status=RatingRound.Status.OPEN)
                counts[page.name] = _measure(client, url)
                raise _Rollback
        except _Rollback:
            pass
    return counts
