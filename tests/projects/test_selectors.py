"""What the year-end export reads: per branch, the project and what became of it."""

from decimal import Decimal

from projects import services
from projects.models import OutstandingList
from projects.selectors import branch_project_summaries, year_figures


def test_branch_project_summaries_carry_the_frozen_rank_and_the_lists(org, rated, django_assert_num_queries):
    rating_round, projects, _rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    services.confirm_outstanding(
        rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk, projects[1].pk]
    )
    with django_assert_num_queries(1):
        rows = {row.branch.code: row for row in branch_project_summaries(year=2020)}
    first, fourth, last = rows["B-1"], rows["B-4"], rows["B-7"]
    assert (first.title, first.baseline, first.target, first.actual) == (
        "项目1",
        Decimal("12"),
        Decimal("8"),
        None,
    )
    assert (first.aggregate, first.rank, first.on_tracking_list, first.is_outstanding) == (
        Decimal("90.0000"),
        1,
        True,
        True,
    )
    assert (fourth.rank, fourth.on_tracking_list, fourth.is_outstanding) == (
        4,
        False,
        False,
    )  # tied, lost on spread
    assert (last.aggregate, last.rank, last.on_tracking_list) == (Decimal("50.0000"), 7, False)
    assert first.branch.unit.name == "县公司"


def test_summaries_before_publishing_have_no_rank(org, rated):
    rows = list(branch_project_summaries(year=2020))
    assert len(rows) == 7 and all(row.rank is None and not row.on_tracking_list for row in rows)


def test_summaries_can_be_limited_to_a_scope(org, rated, world):
    from org.permissions import branches_visible_to

    rows = branch_project_summaries(year=2020, branches=branches_visible_to(org.unit_admin))
    assert {row.branch.unit.code for row in rows} <= {"C-CTY", "C-CTY-S"}


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
