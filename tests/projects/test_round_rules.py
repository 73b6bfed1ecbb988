"""Each rule of a rating round refuses with its own message, and refuses before changing anything."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from org.models import Role
from projects import services
from projects.models import Assignment, BranchProject, Nomination, OutstandingList, RatingRound
from tests.factories import UserFactory
from tests.projects.factories import RatingRoundFactory


def refused(call, **kwargs) -> list[str] | dict:
    """The messages a service refuses with, in English."""
    with translation.override("en"), pytest.raises(ValidationError) as refusal:
        call(**kwargs)
    error = refusal.value
    return error.message_dict if hasattr(error, "error_dict") else error.messages


def test_a_branch_has_one_project_a_year(org, world):
    data = {"title": "第二个项目", "central_item": "x", "indicator_name": "y", "indicator_unit": "次"}
    assert refused(
        services.create_project,
        user=org.secretary,
        branch=org.city_branch,
        year=2020,
        data=data,
        departments=[],
    ) == ["This branch already has a project for 2020."]
    assert BranchProject.objects.filter(branch=org.city_branch).count() == 1


def test_a_round_opens_from_draft_only_and_with_a_rubric(org):
    draft = services.create_round(
        year=2021, name="2021年度", opens_on=datetime.date(2021, 4, 1), closes_on=datetime.date(2021, 5, 31)
    )
    draft.criteria.all().delete()
    assert refused(services.open_round, rating_round=draft, user=org.admin) == [
        "Give the round at least one rubric criterion before opening it."
    ]
    opened = RatingRoundFactory(year=2022, status=RatingRound.Status.OPEN)
    assert refused(services.open_round, rating_round=opened, user=org.admin) == [
        "Only a draft round can be opened."
    ]
    draft.refresh_from_db()
    assert draft.status == RatingRound.Status.DRAFT


def test_only_an_open_round_closes(rated, org):
    rating_round, _projects, _rater = rated
    assert refused(services.close_round, rating_round=rating_round, user=org.admin) == [
        "Only an open round can be closed."
    ]


def test_a_round_that_has_not_opened_refuses_ratings(db):
    draft = RatingRoundFactory(year=2023, name="2023年度", status=RatingRound.Status.DRAFT)
    with translation.override("en"):
        assert (
            services.rating_refusal(rating_round=draft) == "The rating window of 2023年度 has not opened yet."
        )


def test_a_rating_needs_every_score_in_range_from_a_rater_of_the_assigned_department(org, world):
    assignment = Assignment.objects.get(round=world.round, project=world.county)
    criterion = world.round.criteria.get()
    field = f"criterion_{criterion.pk}"
    submit = {"user": world.county_reviewer, "assignment": Assignment.objects.get(project=world.city)}
    assert refused(services.submit_rating, **submit, values={}) == {field: ["Give a score."]}
    assert refused(services.submit_rating, **submit, values={criterion.pk: Decimal("101")}) == {
        field: ["Between 0 and 100."]  # on PostgreSQL too, whose decimals come back as 0.00
    }
    outsider = UserFactory(role=Role.REVIEWER, unit=org.city, department=None)
    with pytest.raises(PermissionDenied):
        services.submit_rating(user=outsider, assignment=assignment, values={criterion.pk: Decimal("80")})
    assert not assignment.project.ratings.exists()


def test_rules_change_after_publishing_only_with_a_reason(rated, org):
    rating_round, _projects, _rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    assert refused(
        services.update_rules, rating_round=rating_round, user=org.admin, data={"cut_denominator": 3}
    ) == {"reason": ["The list is already published: say why the rules change."]}
    changed = services.update_rules(
        rating_round=rating_round, user=org.admin, data={"cut_denominator": 3}, reason="党委会决定"
    )
    assert changed.cut_denominator == 3 and changed.history.latest().history_change_reason == "党委会决定"


def test_a_list_is_published_from_a_closed_round_with_ratings_only(org, world):
    assert refused(services.publish_tracking_list, rating_round=world.round, user=org.admin) == [
        "Close the rating window before publishing the tracking list."
    ]
    services.close_round(rating_round=world.round, user=org.admin)
    assert refused(services.publish_tracking_list, rating_round=world.round, user=org.admin) == [
        "Nobody has rated a project in this round: there is nothing to rank."
    ]


def test_superseding_the_list_supersedes_its_outstanding_projects(rated, org):
    rating_round, projects, _rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    assert refused(
        services.confirm_outstanding,
        rating_round=rating_round,
        user=org.admin,
        project_ids=[projects[6].pk, projects[0].pk],
    ) == {"projects": ["Every outstanding project must be on the tracking list."]}
    confirmed = services.confirm_outstanding(
        rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk, projects[1].pk]
    )
    services.publish_tracking_list(rating_round=rating_round, user=org.admin, reason="复核评分")
    confirmed.refresh_from_db()
    assert confirmed.superseded_at is not None
    assert not OutstandingList.objects.current().exists()


def test_outstanding_projects_are_confirmed_from_a_published_list(rated, org):
    rating_round, projects, _rater = rated
    assert refused(
        services.confirm_outstanding, rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk]
    ) == ["Publish the tracking list before confirming outstanding projects."]


def test_nominations_come_from_the_assigned_department_without_a_conflict_and_stop_at_confirmation(
    rated, org
):
    rating_round, projects, rater = rated
    services.publish_tracking_list(rating_round=rating_round, user=org.admin)
    # A reviewer of a department not rating the project; one whose own unit holds the project.
    stranger = UserFactory(
        role=Role.REVIEWER,
        unit=rater.unit,
        department=org.department.__class__.objects.create(code="D-X", name="其他部门"),
    )
    with pytest.raises(PermissionDenied):
        services.nominate(user=stranger, rating_round=rating_round, project=projects[0])
    insider = UserFactory(role=Role.REVIEWER, unit=org.county, department=org.department)
    with pytest.raises(PermissionDenied):
        services.nominate(user=insider, rating_round=rating_round, project=projects[0])
    assert not Nomination.objects.exists()

    services.nominate(user=rater, rating_round=rating_round, project=projects[0])
    services.confirm_outstanding(
        rating_round=rating_round, user=org.admin, project_ids=[projects[0].pk, projects[1].pk]
    )
    assert refused(services.nominate, user=rater, rating_round=rating_round, project=projects[1]) == [
        "The outstanding projects are already confirmed."
    ]
    assert refused(
        services.withdraw_nomination, user=rater, rating_round=rating_round, project=projects[0]
    ) == ["The outstanding projects are already confirmed."]
    assert Nomination.objects.get().project == projects[0]
