"""The ranking and the cut: aggregation in SQL, shares and rounding, ties at the cut."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from org.models import Role
from projects import services
from projects.models import RatingRound, Rounding, apply_fraction
from projects.ranking import RankedProject, compute_cut, outstanding_target, rank_projects
from tests.factories import BranchFactory, DepartmentFactory, UserFactory
from tests.projects.factories import BranchProjectFactory, RatingFactory, RatingRoundFactory


@pytest.mark.parametrize(
    ("count", "numerator", "denominator", "rounding", "expected"),
    [
        (305, 1, 2, Rounding.UP, 153),
        (304, 1, 2, Rounding.UP, 152),
        (305, 1, 2, Rounding.DOWN, 152),
        (305, 1, 2, Rounding.NEAREST, 153),
        (153, 1, 3, Rounding.UP, 51),
        (152, 1, 3, Rounding.UP, 51),
        (152, 1, 3, Rounding.DOWN, 50),
        (152, 1, 3, Rounding.NEAREST, 51),
        (151, 1, 3, Rounding.NEAREST, 50),
        (3, 1, 3, Rounding.DOWN, 1),  # exact thirds never lose a project to 0.3333...
        (0, 1, 2, Rounding.UP, 0),
    ],
)
def test_shares_are_exact_integer_arithmetic(count, numerator, denominator, rounding, expected):
    assert apply_fraction(count, numerator=numerator, denominator=denominator, rounding=rounding) == expected


def _ranked(aggregates):
    return [
        RankedProject(
            project_id=index,
            branch_code=f"B{index:03d}",
            mean=Decimal(value),
            median=Decimal(value),
            stddev=Decimal(0),
            zscore=Decimal(0),
            departments_rated=1,
            aggregate=Decimal(value),
            rank=1 + sum(1 for other in aggregates if Decimal(other) > Decimal(value)),
            position=index,
        )
        for index, value in enumerate(aggregates, start=1)
    ]


def test_an_odd_count_rounds_the_half_up():
    cut = compute_cut(rating_round=RatingRound(), ranked=_ranked(["90", "80", "70", "60", "50"]))
    assert (cut.target, cut.size, cut.tie) == (3, 3, None)
    assert cut.included_ids == [1, 2, 3]


def test_an_even_count_takes_exactly_half():
    cut = compute_cut(rating_round=RatingRound(), ranked=_ranked(["90", "80", "70", "60"]))
    assert (cut.target, cut.size) == (2, 2)


def test_rounding_down_is_a_rule_in_data():
    rating_round = RatingRound(cut_rounding=Rounding.DOWN)
    assert compute_cut(rating_round=rating_round, ranked=_ranked(["90", "80", "70", "60", "50"])).size == 2


def test_a_tie_at_the_cut_is_broken_by_the_stated_rule_by_default():
    cut = compute_cut(rating_round=RatingRound(), ranked=_ranked(["90", "80", "70", "70", "70", "50"]))
    assert (cut.target, cut.size) == (3, 3)
    assert (cut.tie.first_position, cut.tie.last_position, cut.tie.included) == (3, 5, 1)


def test_include_all_tied_takes_every_project_tied_at_the_cut():
    rating_round = RatingRound(tie_rule=RatingRound.TieRule.INCLUDE_ALL)
    cut = compute_cut(rating_round=rating_round, ranked=_ranked(["90", "80", "70", "70", "70", "50"]))
    assert (cut.target, cut.size) == (3, 5)
    assert cut.tie.included == 3 and cut.tie.count == 3


def test_a_tie_just_below_the_cut_changes_nothing():
    rating_round = RatingRound(tie_rule=RatingRound.TieRule.INCLUDE_ALL)
    cut = compute_cut(rating_round=rating_round, ranked=_ranked(["90", "80", "70", "60", "60", "50"]))
    assert (cut.size, cut.tie) == (3, None)


@pytest.fixture
def raters(db):
    ops, sales = DepartmentFactory(code="D-1"), DepartmentFactory(code="D-2")
    home = BranchFactory().unit  # raters sit in a unit with no project
    return {
        "ops": UserFactory(role=Role.REVIEWER, department=ops, unit=home),
        "ops2": UserFactory(role=Role.REVIEWER, department=ops, unit=home),
        "sales": UserFactory(role=Role.REVIEWER, department=sales, unit=home),
    }


def test_rank_projects_aggregates_department_scores_in_the_database(raters, django_assert_num_queries):
    rating_round = RatingRoundFactory(status=RatingRound.Status.CLOSED)
    a, b, c = (BranchProjectFactory(branch=BranchFactory(code=code)) for code in ("B-A", "B-B", "B-C"))
    # a: ops raters 70 and 90 (department score 80), sales 60: mean 70, median 70, sd 10
    RatingFactory(round=rating_round, project=a, rater=raters["ops"], score=Decimal("70"))
    RatingFactory(round=rating_round, project=a, rater=raters["ops2"], score=Decimal("90"))
    RatingFactory(round=rating_round, project=a, rater=raters["sales"], score=Decimal("60"))
    # b: 70 and 70 (mean 70, sd 0): ties a on the mean, wins on the lower spread
    RatingFactory(round=rating_round, project=b, rater=raters["ops"], score=Decimal("70"))
    RatingFactory(round=rating_round, project=b, rater=raters["sales"], score=Decimal("70"))
    # c: one score of 95, and one project nobody rated, which is not ranked
    RatingFactory(round=rating_round, project=c, rater=raters["sales"], score=Decimal("95"))
    BranchProjectFactory()

    with django_assert_num_queries(1):
        ranked = rank_projects(rating_round=rating_round)

    assert [row.branch_code for row in ranked] == ["B-C", "B-B", "B-A"]
    assert [(row.rank, row.position) for row in ranked] == [(1, 1), (2, 2), (2, 3)]
    by_code = {row.branch_code: row for row in ranked}
    assert (by_code["B-A"].mean, by_code["B-A"].median, by_code["B-A"].stddev) == (
        Decimal("70.0000"),
        Decimal("70.0000"),
        Decimal("10.0000"),
    )
    assert by_code["B-A"].departments_rated == 2
    assert by_code["B-B"].tied_with == 1 and by_code["B-C"].tied_with == 0


def test_the_median_of_an_odd_and_an_even_number_of_departments(raters, db):
    rating_round = RatingRoundFactory(status=RatingRound.Status.CLOSED)
    third = UserFactory(role=Role.REVIEWER, department=DepartmentFactory(), unit=raters["ops"].unit)
    odd, even = BranchProjectFactory(), BranchProjectFactory()
    for rater, score in ((raters["ops"], 10), (raters["sales"], 50), (third, 60)):
        RatingFactory(round=rating_round, project=odd, rater=rater, score=Decimal(score))
    for rater, score in ((raters["ops"], 10), (raters["sales"], 50)):
        RatingFactory(round=rating_round, project=even, rater=rater, score=Decimal(score))
    medians = {row.project_id: row.median for row in rank_projects(rating_round=rating_round)}
    assert medians == {odd.pk: Decimal("50.0000"), even.pk: Decimal("30.0000")}


def test_z_scores_stop_a_lenient_reviewer_pushing_their_projects_up(raters, db):
    rating_round = RatingRoundFactory(status=RatingRound.Status.CLOSED)
    lenient, strict = raters["ops"], raters["sales"]
    # The lenient reviewer gives everything 90-100, the strict one 40-60: raw means favour the
    # lenient reviewer's projects, z-scores compare each project within its reviewer's own scale.
    lenient_best, lenient_worst = BranchProjectFactory(), BranchProjectFactory()
    strict_best, strict_worst = BranchProjectFactory(), BranchProjectFactory()
    RatingFactory(round=rating_round, project=lenient_best, rater=lenient, score=Decimal("100"))
    RatingFactory(round=rating_round, project=lenient_worst, rater=lenient, score=Decimal("90"))
    RatingFactory(round=rating_round, project=strict_best, rater=strict, score=Decimal("60"))
    RatingFactory(round=rating_round, project=strict_worst, rater=strict, score=Decimal("40"))

    by_mean = [row.project_id for row in rank_projects(rating_round=rating_round)]
    assert by_mean[:2] == [lenient_best.pk, lenient_worst.pk]
    by_z = rank_projects(rating_round=rating_round, aggregation=RatingRound.Aggregation.ZSCORE)
    assert {row.project_id for row in by_z[:2]} == {lenient_best.pk, strict_best.pk}
    assert [row.zscore for row in by_z[:2]] == [Decimal("1.0000"), Decimal("1.0000")]


def test_equal_aggregates_are_ordered_by_the_higher_median_before_the_branch_code(raters, db):
    rating_round = RatingRoundFactory(status=RatingRound.Status.CLOSED)
    third = UserFactory(role=Role.REVIEWER, department=DepartmentFactory(), unit=raters["ops"].unit)
    # Both: mean 70 and the same spread (population sd 14.1421); the code alone would put B-A first.
    high_median = BranchProjectFactory(branch=BranchFactory(code="B-Z"))  # 50, 80, 80: median 80
    low_median = BranchProjectFactory(branch=BranchFactory(code="B-A"))  # 60, 60, 90: median 60
    for project, scores in ((high_median, (50, 80, 80)), (low_median, (60, 60, 90))):
        for rater, score in zip((raters["ops"], raters["sales"], third), scores, strict=True):
            RatingFactory(round=rating_round, project=project, rater=rater, score=Decimal(score))

    ranked = rank_projects(rating_round=rating_round)

    assert [(row.branch_code, row.median, row.stddev) for row in ranked] == [
        ("B-Z", Decimal("80.0000"), Decimal("14.1421")),
        ("B-A", Decimal("60.0000"), Decimal("14.1421")),
    ]
    assert [(row.rank, row.position, row.tied_with) for row in ranked] == [(1, 1, 1), (1, 2, 1)]


def test_equal_aggregate_median_and_spread_are_ordered_by_branch_code(raters, db):
    rating_round = RatingRoundFactory(status=RatingRound.Status.CLOSED)
    for code in ("B-2", "B-3", "B-1"):
        project = BranchProjectFactory(branch=BranchFactory(code=code))
        RatingFactory(round=rating_round, project=project, rater=raters["ops"], score=Decimal("70"))

    ranked = rank_projects(rating_round=rating_round)

    assert [(row.branch_code, row.rank, row.position) for row in ranked] == [
        ("B-1", 1, 1),
        ("B-2", 1, 2),
        ("B-3", 1, 3),
    ]


def test_the_outstanding_third_is_a_third_of_the_list_as_published_after_an_include_all_ties_cut(raters, org):
    rating_round = RatingRoundFactory(
        status=RatingRound.Status.CLOSED, tie_rule=RatingRound.TieRule.INCLUDE_ALL
    )
    aggregates = (95, 90, 85, 80, 70, 70, 70, 70, 50, 40)  # half of 10 is 5; positions 5-8 tie at 70
    projects = [BranchProjectFactory(branch=BranchFactory(code=f"B-{n:02}")) for n in range(len(aggregates))]
    for project, score in zip(projects, aggregates, strict=True):
        RatingFactory(round=rating_round, project=project, rater=raters["ops"], score=Decimal(score))

    tracking_list = services.publish_tracking_list(rating_round=rating_round, user=org.admin)

    assert tracking_list.size == 8
    assert outstanding_target(rating_round=rating_round, tracking_list=tracking_list) == 3  # of 8, not of 5
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.confirm_outstanding(
            rating_round=rating_round, user=org.admin, project_ids=[p.pk for p in projects[:2]]
        )
    assert "Choose exactly 3 projects (one share of the 8 on the list); you chose 2." in str(refused.value)
    tied_last = projects[7]  # position 8, on the list only because the tie was included whole
    confirmed = services.confirm_outstanding(
        rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk, projects[1].pk, tied_last.pk]
    )
    assert confirmed.target_size == 3
    assert set(confirmed.projects.values_list("pk", flat=True)) == {
        projects[0].pk,
        projects[1].pk,
        tied_last.pk,
    }
