"""Projects' year-end figures per branch (`projects.year_end`) and the round page's year figures."""

from branchtrack.web.year_end import collect
from org.models import Branch
from projects import services, year_end
from projects.models import OutstandingList
from projects.selectors import year_figures


def _figures(year=2020, scope_path=""):
    branches = Branch.objects.filter(unit__path__startswith=scope_path)
    codes = dict(branches.values_list("pk", "code"))
    rows = collect(year_end.year_sources(year=year, scope_path=scope_path), codes)
    return {codes[pk]: row for pk, row in rows.items()}


def test_year_end_figures_carry_the_frozen_rank_and_the_lists(org, rated, django_assert_num_queries):
    rating_round, projects, _rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    services.confirm_outstanding(
        rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk, projects[1].pk]
    )
    sources = year_end.year_sources(year=2020, scope_path="")
    with django_assert_num_queries(3):  # the branch ids, then one per side: entries, outstanding
        collect(sources, Branch.objects.values_list("pk", flat=True))
    rows = _figures()
    first, fourth, last = rows["B-1"], rows["B-4"], rows["B-7"]
    assert (first["rating"], first["rank"], first["on_tracking_list"], first["outstanding"]) == (
        90.0,
        1,
        True,
        True,
    )
    assert first["rating_percent"] == 0.9
    assert (fourth["rank"], fourth["on_tracking_list"], fourth["outstanding"]) == (
        4,
        False,
        False,
    )  # tied, lost on spread
    assert (last["rating"], last["rank"], last["on_tracking_list"]) == (50.0, 7, False)


def test_figures_before_publishing_have_no_rank(org, rated):
    rows = _figures()
    assert all("rank" not in row and not row["outstanding"] for row in rows.values())


def test_figures_can_be_limited_to_a_scope(org, rated):
    rating_round, _projects, _rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    rows = _figures(scope_path=org.county.path)
    assert rows and all(code.startswith("B-") for code in rows)
    in_scope = set(
        Branch.objects.filter(unit__path__startswith=org.county.path).values_list("code", flat=True)
    )
    assert {code for code, row in rows.items() if "rank" in row} <= in_scope


def test_year_figures(org, rated):
    rating_round, projects, _rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    services.confirm_outstanding(
        rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk, projects[1].pk]
    )
    assert year_figures(year=2020) == {
        "projects": 7,
        "revised": 0,
        "materially_revised": 0,
        "tracking": 4,
        "outstanding": 2,
    }
    assert OutstandingList.objects.current().count() == 1
