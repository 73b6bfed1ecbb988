"""The runner's parts at scale 1: every main page's query count, and the roll-up's SQL yardstick."""

import pytest

from bench.coverage_sql import coverage_by_sql
from bench.generate import CAMPAIGN_END, YEAR, generate
from bench.pages import PAGES, page_query_counts
from bench.post import derive
from bench.run import Report, _same_coverage
from bench.scale import parse_scale


@pytest.fixture
def reference_data(db):
    result = generate(sizes=parse_scale("1"), seed=2020)
    derive(result)
    return result


@pytest.mark.postgres  # the generator writes with COPY
def test_every_main_page_is_measured_at_scale_1_as_the_test_client_counts(
    reference_data, client, django_assert_num_queries
):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    counts = page_query_counts()

    assert list(counts) == [page.name for page in PAGES]
    missing = [name for name, count in counts.items() if count is None]
    assert missing == [], f"pages not built: {missing}"
    assert all(count > 0 for count in counts.values())
    client.force_login(get_user_model().objects.get(username="bench-admin"))
    url = reverse("branch_list")
    client.get(url)
    with django_assert_num_queries(counts["branch list"]):
        assert client.get(url).status_code == 200


@pytest.mark.postgres  # the generator writes with COPY; the hand-written SQL is PostgreSQL's
def test_the_hand_written_sql_gives_the_roll_ups_figures_and_catches_a_difference(reference_data):
    from supervision.models import Campaign, CoverageSnapshot

    campaign = Campaign.objects.get(year=YEAR)
    by_sql = coverage_by_sql(campaign=campaign, day=CAMPAIGN_END)

    same, detail = _same_coverage(campaign, CAMPAIGN_END, by_sql)
    assert same, detail
    total = CoverageSnapshot.objects.get(campaign=campaign, day=CAMPAIGN_END, unit=None)
    assert by_sql[None].visited_branches == total.visited_branches == round(305 * 0.7)
    assert by_sql[None].active_branches == 305

    snapshot = CoverageSnapshot.objects.filter(
        campaign=campaign, day=CAMPAIGN_END, unit__isnull=False
    ).first()
    snapshot.visited_branches += 1
    snapshot.save()
    same, detail = _same_coverage(campaign, CAMPAIGN_END, by_sql)
    assert not same and f"unit {snapshot.unit_id}" in detail


def test_the_report_is_one_markdown_table():
    report = Report("scale 1")
    report.add("1d. ratio", "1.20", "<= 1.5", True)
    report.add("2. queries: dashboard", "9 / 11", "equal", False)

    assert report.markdown().splitlines()[2:] == [
        "| figure | measured | goal | met |",
        "|---|---|---|---|",
        "| 1d. ratio | 1.20 | <= 1.5 | yes |",
        "| 2. queries: dashboard | 9 / 11 | equal | **no** |",
    ]


@pytest.mark.urls("bench.urls")
def test_the_load_yardsticks_answer_as_the_runner_expects(client, login, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as trivial_queries:
        assert client.get("/bench/trivial/").content == b"ok"
    assert len(trivial_queries) == 0  # the framework alone: not even the session is read
    assert client.get("/bench/signed-in/").status_code == 302  # to the log-in page
    login(org.staff)
    signed_in = client.get("/bench/signed-in/")
    assert signed_in.status_code == 200 and 'data-testid="user-role"' in signed_in.content.decode()
