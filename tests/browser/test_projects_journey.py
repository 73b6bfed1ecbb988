"""一支部一项目一特色 in a browser: a reviewer rates a project; the admin closes the round, publishes
the tracking list and confirms the outstanding third."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from org.models import Role
from projects.models import Assignment, OutstandingList, Rating, RatingRound, RubricCriterion, TrackingList
from tests.factories import BranchFactory, DepartmentFactory, UnitFactory, UserFactory
from tests.projects.factories import (
    AssignmentFactory,
    BranchProjectFactory,
    RatingFactory,
    RatingRoundFactory,
)

pytestmark = pytest.mark.browser

TITLES = [
    "“党员责任区”护航迎峰度夏",
    "带电作业“零停电”攻坚",
    "“网格化”客户服务提质",
    "配网故障抢修提速",
    "“光明驿站”便民服务",
    "变电站无人值守改造",
    "“红色电管家”上门服务",
    "线损治理攻坚",
    "智能电表全覆盖",
]


@pytest.fixture
def open_round(org):
    """The 2020 round, open, rubric of two criteria; the department rates the three branches' projects."""
    rating_round = RatingRoundFactory(year=2020, status=RatingRound.Status.OPEN)
    RubricCriterion.objects.create(round=rating_round, name="指标成效", weight=Decimal("0.5"), order=2)
    for branch, title in zip((org.city_branch, org.county_branch, org.station_branch), TITLES, strict=False):
        project = BranchProjectFactory(branch=branch, departments=[org.department], title=title)
        Assignment.objects.create(round=rating_round, project=project, department=org.department)
    return rating_round


def test_a_reviewer_rates_a_project_from_the_queue_and_sees_progress(journey, org, open_round):
    page = journey.page
    journey.login(org.reviewer)
    journey.nav(journey.t("My rating queue"))

    # The reviewer's home unit is the city: its branch's project is not theirs to rate.
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=org.city_branch.name)).to_have_count(0)
    expect(page.get_by_test_id("rated")).to_have_text("0")
    expect(page.get_by_test_id("assigned")).to_have_text("2")
    journey.screenshot("reviewer-queue")

    rows.filter(has_text=org.county_branch.name).get_by_role("link", name=journey.t("Rate")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[1])
    page.get_by_label("支撑中心工作力度").fill("88")
    page.get_by_label("指标成效").fill("76")
    page.get_by_label(journey.t("Comment")).fill("紧扣迎峰度夏，指标可量化。")
    journey.screenshot("rating-form")
    page.get_by_role("button", name=journey.t("Submit my rating")).click()

    expect(page.get_by_role("status")).to_have_text(
        journey.t("Your rating of %(project)s is saved.", project=TITLES[1])
    )
    expect(page.get_by_test_id("rated")).to_have_text("1")
    expect(page.get_by_test_id("assigned")).to_have_text("2")
    rated_row = page.get_by_test_id("queue-row").filter(has_text=org.county_branch.name)
    expect(rated_row.get_by_role("link", name=journey.pt("rating action", "Change"))).to_be_visible()

    rating = Rating.objects.get(rater=org.reviewer)
    assert rating.project.branch == org.county_branch
    # (88 x 1 + 76 x 0.5) / 1.5
    assert rating.score == Decimal("84.00")


@pytest.fixture
def rated_round(org):
    """Nine projects rated by two departments in the open 2020 round, every mean different."""
    rating_round = RatingRoundFactory(year=2020, status=RatingRound.Status.OPEN)
    home = UnitFactory(parent=org.company, code="C-HQ", name="公司本部")
    raters = [
        UserFactory(username="t-rater-ops", role=Role.REVIEWER, unit=home, department=org.department),
        UserFactory(
            username="t-rater-mkt",
            role=Role.REVIEWER,
            unit=home,
            department=DepartmentFactory(code="D-MKT", name="营销部"),
        ),
    ]
    for index, title in enumerate(TITLES):
        unit = org.county if index % 2 else org.station
        project = BranchProjectFactory(
            branch=BranchFactory(unit=unit, code=f"B-R{index}", name=f"{unit.name}第{index + 1}党支部"),
            title=title,
        )
        for offset, rater in enumerate(raters):
            AssignmentFactory(round=rating_round, project=project, department=rater.department)
            RatingFactory(
                round=rating_round, project=project, rater=rater, score=Decimal(92 - 4 * index - 2 * offset)
            )
    return rating_round


def test_the_admin_closes_the_round_publishes_the_tracking_list_and_confirms_the_outstanding_third(
    journey, org, rated_round
):
    page = journey.page
    journey.login(org.admin)
    journey.nav(journey.t("Rating rounds"))
    page.get_by_role("link", name=rated_round.name).click()

    expect(page.get_by_test_id("round-status")).to_contain_text(journey.t(RatingRound.Status.OPEN.label))
    page.get_by_role("link", name=journey.t("Close the rating window")).click()
    # The confirmation page says what stays unrated, and wants a reason and a tick.
    expect(page.get_by_test_id("unrated-assignments")).to_be_visible()
    page.get_by_label(journey.t("Reason")).fill("评价期满")
    page.get_by_label(journey.t("I have read what will happen and confirm it.")).check()
    page.get_by_role("button", name=journey.t("Close the rating window")).click()
    expect(page.get_by_role("status")).to_have_text(
        journey.t("The window is closed; ratings are frozen. Preview the ranking next.")
    )
    expect(page.get_by_test_id("round-status")).to_contain_text(journey.t(RatingRound.Status.CLOSED.label))

    page.get_by_role("link", name=journey.t("Preview the ranking")).click()
    # Nine ranked, the top half rounded up makes the list.
    expect(page.get_by_test_id("ranked-count")).to_have_text("9")
    expect(page.get_by_test_id("list-size")).to_have_text("5")
    ranking_rows = page.get_by_test_id("ranking-row")
    expect(ranking_rows).to_have_count(9)
    expect(ranking_rows.first).to_contain_text(TITLES[0])
    expect(ranking_rows.filter(has_text=journey.t("on the list"))).to_have_count(5)
    journey.screenshot("ranking")

    page.get_by_label(journey.t("Reason")).fill("党委会审定")
    page.get_by_label(journey.t("I have read what will happen and confirm it.")).check()
    page.get_by_role("button", name=journey.t("Publish the tracking list (%(size)s)", size=5)).click()
    # Published in a background job (in process here, as on the demo): its page shows the outcome.
    expect(page.get_by_role("status")).to_have_text(
        journey.t("Tracking list published: %(size)s of %(ranked)s projects.", size=5, ranked=9)
    )
    expect(page.locator("[data-progress-text]")).to_have_text(
        journey.t("%(done)s of %(total)s rows", done=9, total=9)
    )
    page.get_by_role("link", name=journey.t("Continue")).click()
    expect(page.get_by_test_id("list-size")).to_have_text("5")
    expect(page.get_by_test_id("entry-row")).to_have_count(5)

    journey.nav(journey.t("Rating rounds"))
    page.get_by_role("link", name=rated_round.name).click()
    page.get_by_role("link", name=journey.t("Confirm the outstanding projects")).click()

    # A third of five, rounded up: two. The page ticks two to start with and counts the ticks.
    counter = page.locator("[data-outstanding-counter]")
    expect(counter).to_have_text("2 / 2")
    boxes = page.get_by_test_id("outstanding-row").get_by_role("checkbox")
    expect(boxes).to_have_count(5)
    page.get_by_label(TITLES[1]).uncheck()
    expect(counter).to_have_text("1 / 2")
    page.get_by_label(TITLES[3]).check()
    expect(counter).to_have_text("2 / 2")
    # One too many: the counter says so at once, and the server's refusal stands next to the button,
    # in the bar that stays on screen.
    page.get_by_label(TITLES[4]).check()
    expect(counter).to_have_text("3 / 2")
    journey.expect_status(400, f"/projects/rounds/{rated_round.pk}/outstanding/")
    page.get_by_label(journey.t("Reason")).fill("党委会审定")
    page.get_by_label(journey.t("I have read what will happen and confirm it.")).check()
    page.get_by_role("button", name=journey.t("Confirm %(target)s outstanding projects", target=2)).click()
    bar = page.get_by_test_id("outstanding-bar")
    expect(bar.get_by_test_id("error-summary")).to_be_visible()
    expect(bar.get_by_test_id("error-summary")).to_be_in_viewport()
    expect(page.get_by_test_id("confirm")).to_be_in_viewport()
    expect(counter).to_have_text("3 / 2")
    page.get_by_label(TITLES[4]).uncheck()
    expect(counter).to_have_text("2 / 2")
    journey.screenshot("outstanding")
    page.get_by_role("button", name=journey.t("Confirm %(target)s outstanding projects", target=2)).click()

    expect(page.get_by_role("status")).to_have_text(
        journey.t("%(count)s outstanding projects confirmed; they feed the annual assessment.", count=2)
    )
    expect(page.get_by_test_id("outstanding-count")).to_have_text("2")
    expect(page.get_by_test_id("outstanding-badge")).to_have_count(2)
    journey.screenshot("tracking-list")

    tracking_list = TrackingList.objects.get(round=rated_round)
    assert tracking_list.size == 5
    outstanding = OutstandingList.objects.get(tracking_list=tracking_list)
    assert sorted(outstanding.projects.values_list("title", flat=True)) == sorted([TITLES[0], TITLES[3]])


def test_a_reviewer_rates_two_projects_in_the_table_with_the_keyboard(journey, org, open_round):
    """Scores typed and Tab/Enter only: each row saves itself; the queue then counts both."""
    page = journey.page
    journey.login(org.reviewer)
    journey.nav(journey.t("My rating queue"))
    page.get_by_test_id("open-rating-table").click()
    rows = page.get_by_test_id("rating-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("rating-table")).to_have_attribute(
        "data-ready", "1"
    )  # its script is listening
    first = rows.nth(0).locator("input[name^='criterion_']").first
    first.focus()
    page.keyboard.type("80")
    page.keyboard.press("Tab")
    page.keyboard.type("70")
    page.keyboard.press("Enter")  # saves the row, moves to the next row's first score
    expect(rows.nth(0).locator(".row-status")).to_contain_text("76.67")  # (80 x 1 + 70 x 0.5) / 1.5
    page.keyboard.type("90")
    page.keyboard.press("Tab")
    page.keyboard.type("60")
    page.keyboard.press("Tab")  # leaving the score: a change event saves the row
    expect(rows.nth(1).locator(".row-status")).to_contain_text("80.00")  # (90 x 1 + 60 x 0.5) / 1.5
    journey.screenshot("rating-table")
    assert Rating.objects.filter(round=open_round, rater=org.reviewer).count() == 2
