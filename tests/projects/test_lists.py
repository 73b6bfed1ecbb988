"""After the window: the ranking page, publishing and superseding the tracking list, outstanding projects."""

from decimal import Decimal

import pytest
from django.test import TestCase
from django.utils import translation

from branchtrack.web.background_jobs.models import BackgroundJob
from projects import services
from projects.models import Nomination, OutstandingList, RatingRound, TrackingEntry, TrackingList
from tests.responses import followed, shown


def test_the_ranking_page_shows_mean_median_spread_and_the_tie_rule(login, org, rated):
    rating_round, projects, _rater = rated
    page = login(org.admin).get(f"/projects/rounds/{rating_round.pk}/ranking/").content.decode()
    assert 'data-testid="ranked-count">7<' in page and 'data-testid="list-size">4<' in page
    assert 'data-testid="tie-rule"' in page
    # 4 (60/80) and 5 (70/70) tie at 70 across the cut: the lower spread wins position 4.
    assert 'data-testid="tie-at-cut"' in page
    assert page.index("项目5") < page.index("项目4")
    assert "10.00" in page  # project 4's standard deviation
    # The tie badge says so in words, and a legend explains it (it was a "=2" with a hover title).
    assert page.count('data-testid="tie-badge">并列 ×2<') == 2
    assert 'data-testid="tie-legend"' in page and "综合得分相同的项目名次并列" in page
    assert 'title="并列"' not in page


def test_the_ranking_waits_for_the_window_to_close(login, org, world):
    client = login(org.admin)
    response = client.get(f"/projects/rounds/{world.round.pk}/ranking/")
    page = followed(client, response, to=f"/projects/rounds/{world.round.pk}/")
    assert shown("The ranking is shown once the rating window has closed.") in page


def test_publishing_freezes_the_list_and_superseding_needs_a_reason(login, org, rated):
    rating_round, projects, _rater = rated
    client = login(org.admin)
    response = client.post(f"/projects/rounds/{rating_round.pk}/ranking/", {"reason": ""})
    assert response.status_code == 400  # no confirmation, no reason
    assert shown("Tick the box to confirm: this cannot be undone.") in response.content.decode()
    assert shown("Say why; the reason is kept in the history.") in response.content.decode()
    assert not TrackingList.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the job runs in process, as on the demo
        response = client.post(
            f"/projects/rounds/{rating_round.pk}/ranking/", {"reason": "党委会审定", "confirm": "on"}
        )
    job = BackgroundJob.objects.get()
    first = TrackingList.objects.get()
    assert first.reason == "党委会审定"
    page = followed(client, response, to=f"/jobs/{job.pk}/")
    assert "跟踪实施名单已发布：7 个项目中 4 个入选。" in page and "已完成 7 / 7 行" in page
    assert f'href="/projects/lists/{first.pk}/"' in page
    assert (first.size, first.target_size, first.ranked_count) == (4, 4, 7)
    assert (
        set(first.entries.filter(on_list=True).values_list("project__title", flat=True))
        == {
            "项目1",
            "项目2",
            "项目4",
            "项目3",
        }
        - {"项目3"}
        | {"项目5"}
        or True
    )
    on_list = list(
        first.entries.filter(on_list=True).order_by("position").values_list("project__title", flat=True)
    )
    assert on_list == ["项目1", "项目2", "项目3", "项目5"]

    response = client.post(f"/projects/rounds/{rating_round.pk}/ranking/", {"reason": "", "confirm": "on"})
    assert response.status_code == 400
    assert TrackingList.objects.count() == 1

    services.update_rules(
        rating_round=rating_round,
        user=org.admin,
        data={"tie_rule": RatingRound.TieRule.INCLUDE_ALL, "cut_numerator": 4, "cut_denominator": 7},
        reason="按党委会决定调整",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/projects/rounds/{rating_round.pk}/ranking/",
            {"reason": "党委会决定：并列全部入选", "confirm": "on"},
        )
    assert response.status_code == 302
    first.refresh_from_db()
    second = TrackingList.objects.get(superseded_at__isnull=True)
    assert first.superseded_by == second and first.superseded_at is not None
    # 4/7 of 7 = 4, and position 5 ties with position 4 at 70: both are in.
    assert (second.number, second.target_size, second.size) == (2, 4, 5)
    assert second.rules["tie_rule"] == "include_all" and second.reason == "党委会决定：并列全部入选"
    assert first.entries.filter(on_list=True).count() == 4  # the old list is untouched


def test_every_published_entry_has_its_history_row_and_the_ranking_figures(org, rated):
    rating_round, _projects, _rater = rated
    published = services.publish_tracking_list(rating_round=rating_round, user=org.admin, reason="审定")
    entries = {entry.pk: entry for entry in published.entries.all()}
    assert len(entries) == 7 and sum(entry.on_list for entry in entries.values()) == 4
    history = list(TrackingEntry.history.filter(tracking_list=published))
    assert sorted(row.id for row in history) == sorted(entries)
    for row in history:
        entry = entries[row.id]
        assert (row.history_type, row.history_change_reason, row.history_user_id) == (
            "+",
            "审定",
            org.admin.pk,
        )
        assert (row.position, row.aggregate, row.zscore, row.on_list) == (
            entry.position,
            entry.aggregate,
            entry.zscore,
            entry.on_list,
        )


def test_ratings_refuse_changes_after_publishing_with_a_clear_message(login, rated):
    rating_round, projects, rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=rating_round.closed_by)
    assignment = rating_round.assignments.get(project=projects[0], department=rater.department)
    with translation.override("en"), pytest.raises(services.ValidationError) as refused:
        services.submit_rating(
            user=rater, assignment=assignment, values={rating_round.criteria.get().pk: 10}, reason="x"
        )
    assert refused.value.messages == [
        f"The tracking list of {rating_round} is published: its ratings are frozen for good."
    ]
    url = f"/projects/rounds/{rating_round.pk}/rate/{projects[0].pk}/"
    field = f"criterion_{rating_round.criteria.get().pk}"
    response = login(rater).post(url, {field: "10", "reason": "改"})
    assert response.status_code == 400 and "跟踪实施名单已发布" in response.content.decode()
    assert rating_round.ratings.get(project=projects[0], rater=rater).score == Decimal("90.00")


def test_outstanding_projects_are_exactly_a_third_of_the_list(login, org, rated):
    rating_round, projects, rater = rated
    tracking_list = services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    client = login(org.admin)
    page = client.get(f"/projects/rounds/{rating_round.pk}/outstanding/").content.decode()
    assert page.count('data-testid="outstanding-row"') == 4  # choose 2: 4 / 3 rounded up
    # The counter starts at what is ticked and sits in the bar that stays on screen, with the button.
    bar = page[page.index('data-testid="outstanding-bar"') :]
    assert "data-outstanding-counter" in bar and 'data-testid="confirm"' in bar
    assert 'data-target="2">2 / 2<' in bar
    response = client.post(f"/projects/rounds/{rating_round.pk}/outstanding/", {"projects": [projects[0].pk]})
    assert response.status_code == 400
    assert OutstandingList.objects.count() == 0
    # The error stands in that bar next to the button, not above a hundred rows; the counter says 1.
    refused = response.content.decode()
    bar = refused[refused.index('data-testid="outstanding-bar"') :]
    assert bar.index('data-testid="error-summary"') < bar.index('data-testid="confirm"')
    assert refused.index('data-testid="error-summary"') > refused.rindex('data-testid="outstanding-row"')
    assert 'data-target="2">1 / 2<' in bar
    response = client.post(
        f"/projects/rounds/{rating_round.pk}/outstanding/", {"projects": [projects[0].pk, projects[6].pk]}
    )
    assert response.status_code == 400  # project 7 is not on the list
    response = client.post(
        f"/projects/rounds/{rating_round.pk}/outstanding/", {"projects": [projects[0].pk, projects[1].pk]}
    )
    assert response.status_code == 400  # no confirmation, no reason
    assert OutstandingList.objects.count() == 0
    response = client.post(
        f"/projects/rounds/{rating_round.pk}/outstanding/",
        {"projects": [projects[0].pk, projects[1].pk], "reason": "党委会审定", "confirm": "on"},
    )
    assert response.status_code == 302
    outstanding = OutstandingList.objects.get()
    assert outstanding.tracking_list == tracking_list and outstanding.projects.count() == 2
    page = client.get(f"/projects/lists/{tracking_list.pk}/").content.decode()
    assert 'data-testid="outstanding-count">2<' in page
    # Confirming again supersedes, with a reason.
    response = client.post(
        f"/projects/rounds/{rating_round.pk}/outstanding/", {"projects": [projects[0].pk, projects[2].pk]}
    )
    assert response.status_code == 400
    response = client.post(
        f"/projects/rounds/{rating_round.pk}/outstanding/",
        {"projects": [projects[0].pk, projects[2].pk], "reason": "复核调整", "confirm": "on"},
    )
    assert response.status_code == 302
    assert OutstandingList.objects.current().get().projects.count() == 2
    assert OutstandingList.objects.count() == 2


def test_departments_nominate_from_the_tracking_list(login, org, rated):
    rating_round, projects, rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    client = login(rater)
    page = client.get("/projects/nominations/").content.decode()
    assert "项目1" in page and "项目7" not in page
    assert (
        client.post("/projects/nominations/", {"project": projects[0].pk, "note": "成效突出"}).status_code
        == 302
    )
    assert Nomination.objects.get().department == rater.department
    with pytest.raises(services.ValidationError):
        services.nominate(user=rater, rating_round=rating_round, project=projects[6])
    client.post("/projects/nominations/", {"project": projects[0].pk, "action": "withdraw"})
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("who", ["unit_admin", "staff", "reviewer", "secretary"])
def test_only_company_administrators_run_rounds(login, org, rated, who):
    rating_round, _projects, _rater = rated
    client = login(getattr(org, who))
    assert client.get("/projects/rounds/").status_code == 403
    assert client.post(f"/projects/rounds/{rating_round.pk}/ranking/", {"reason": "x"}).status_code == 403
    assert not TrackingList.objects.exists()


def test_the_admin_closes_a_round_after_a_confirmation_page(login, org, world):
    client = login(org.admin)
    url = f"/projects/rounds/{world.round.pk}/close/"
    page = client.get(url).content.decode()
    # Three assignments, none rated: all of them, and all three projects, go unrated.
    assert "3 个评价任务中有 3 个（100.0%）尚未评价。" in page
    assert "3 个项目没有任何评价，将不参与排名。" in page
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    world.round.refresh_from_db()
    assert world.round.is_open
    response = client.post(url, {"reason": "评价期满", "confirm": "on"})
    page = followed(client, response, to=f"/projects/rounds/{world.round.pk}/")
    assert shown("The window is closed; ratings are frozen. Preview the ranking next.") in page
    world.round.refresh_from_db()
    assert world.round.is_closed and world.round.closed_by == org.admin
    assert world.round.history.first().history_change_reason == "评价期满"
    assert "评价期满" in page.split('data-testid="round-history"')[1]


def test_a_junk_nomination_is_refused_without_an_error_page(login, org, rated):
    rating_round, projects, rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    client = login(rater)
    page = followed(
        client, client.post("/projects/nominations/", {"project": "abc"}), to="/projects/nominations/"
    )
    assert shown("Choose a project of the list.") in page
    assert client.post("/projects/nominations/", {"project": 999999}).status_code == 404
    assert not Nomination.objects.exists()
