"""Every list page, found by walking the URL patterns, says so when no row matches its filters.

A list page is a page rendered with templates/list_page.html. The walk must reach every template
that extends it, so a new list page is checked without being added here.
"""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.projects.factories import RatingRoundFactory
from tests.responses import shown
from tests.supervision.factories import CampaignFactory

ROOT = Path(__file__).resolve().parents[1]
NO_MATCH = "不存在的名称"


def _paths(patterns, ids: list[int], prefix: str = ""):
    """The paths of the URL patterns, each integer argument filled with each of `ids`."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if "(?P" in route or re.search(r"<(?!int:)", route):
            continue  # regular expressions and non-integer arguments: no list page takes them
        if isinstance(pattern, URLResolver):
            yield from _paths(pattern.url_patterns, ids, route)
        elif isinstance(pattern, URLPattern):
            for pk in ids if "<int:" in route else [None]:
                yield "/" + re.sub(r"<int:\w+>", str(pk), route).lstrip("^").rstrip("$")


def _templates_below(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return "/".join(parts[parts.index("templates") + 1 :])


def list_pages(client, ids: list[int]) -> dict[str, object]:
    """{path: response} for every page the client may open that is a list page."""
    pages = {}
    for path in sorted(set(_paths(get_resolver().url_patterns, ids))):
        if path.startswith("/admin/") or "logout" in path:
            continue
        response = client.get(path)
        if response.status_code == 200 and "list_page.html" in {t.name for t in response.templates}:
            pages[path] = response
    return pages


@pytest.mark.django_db
def test_every_list_page_says_when_no_row_matches(login, org):
    campaign = CampaignFactory(scope=[org.company])  # pages of a campaign: its unvisited branches
    rating_round = RatingRoundFactory()  # pages of a round: its rating progress
    client = login(org.admin)
    pages = list_pages(client, ids=sorted({campaign.pk, rating_round.pk}))
    reached = {template.name for response in pages.values() for template in response.templates}
    extending = {
        _templates_below(path)
        for path in ROOT.glob("*/templates/**/*.html")
        if '{% extends "list_page.html" %}' in path.read_text(encoding="utf-8")
    }
    assert extending - reached == set(), "list pages the walk did not reach"
    assert len(pages) >= 14

    checked = []
    for path, response in pages.items():
        filters = response.context["filter"].filters
        # A text search that matches nothing; a page without one is empty on the org fixture alone.
        search = "q" if "q" in filters else None
        page = client.get(path, {search: NO_MATCH} if search else {})
        assert page.status_code == 200, path
        if page.context["page"].paginator.count:
            # Rows of the fixture itself (a campaign's units in its forecast), and no search to
            # filter them away: a page with a search must empty.
            assert search is None, f"{path}: a search for {NO_MATCH!r} still shows rows"
            continue
        text = page.content.decode()
        ids = re.findall(r'\sid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), (
            f"{path}: element ids used twice: {sorted({i for i in ids if ids.count(i) > 1})}"
        )
        if 'data-testid="result-count"' in text:  # a page may leave the count out (meetings, feedback)
            assert re.search(r'data-testid="result-count">[^<]*\b0\b', text), f"{path}: no count of 0"
        template = response.templates[0]  # the page's own template, which extends list_page.html
        source = Path(template.origin.name).read_text(encoding="utf-8")
        empty = re.search(r"{% empty %}(.*?){% endfor %}", source, re.S)
        said = empty and re.findall(r'{% (?:translate|trans) "([^"]+)"', empty.group(1))
        assert said, f"{template.name}: no {{% empty %}} message for a list without rows"
        assert all(shown(message) in text for message in said), f"{path}: the empty message is not shown"
        checked.append(path)
    assert len(checked) >= 14, checked  # every list page of the first walk, and later ones
