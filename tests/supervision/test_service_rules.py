"""The supervision services refuse what the forms refuse, for any caller, each with its own message."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from supervision import services
from supervision.models import ChecklistItem, Finding, MeetingAttendance, Visit, VisitScore
from supervision.services import ScoreInput
from tests.supervision.factories import CampaignFactory, ProblemFactory, VisitFactory


def refusal(call, **kwargs) -> dict[str, list[str]] | list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call(**kwargs)
    error = refused.value
    return error.message_dict if hasattr(error, "error_dict") else error.messages


def items(campaign) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(area__template=campaign.template).order_by("pk"))


def visit_args(org, campaign, **changes) -> dict:
    args = {
        "user": org.staff,
        "campaign": campaign,
        "branch": org.city_branch,
        "visited_on": datetime.date(2020, 6, 1),
        "visitors": "王芳",
        "scores": {item.pk: ScoreInput(Decimal("8")) for item in items(campaign)},
        "complete": True,
    }
    args.update(changes)
    return args


def test_a_visit_is_refused_outside_the_campaign_with_foreign_or_out_of_range_or_missing_scores(
    org, campaign
):
    first, second, *_rest = items(campaign)
    foreign = items(CampaignFactory(name="另一次"))[0]
    scores = {first.pk: ScoreInput(Decimal("11")), foreign.pk: ScoreInput(Decimal("5"))}
    errors = refusal(
        services.create_visit,
        **visit_args(org, campaign, visited_on=datetime.date(2021, 1, 5), scores=scores),
    )
    assert errors["__all__"] == ["A score belongs to another checklist."]
    assert errors[f"score_{first.pk}"] == ["Give a score from 0.0 to 10.0."]
    assert errors[f"score_{second.pk}"] == ["Score every item to complete the visit."]
    assert "visited_on" in errors
    assert not Visit.objects.exists()


def test_clearing_a_score_of_a_draft_removes_it(org, campaign):
    draft = services.create_visit(**visit_args(org, campaign, complete=False))
    first = items(campaign)[0]
    services.update_visit(
        user=org.staff,
        visit=draft,
        expected_version=draft.version,
        visited_on=draft.visited_on,
        visitors=draft.visitors,
        scores={first.pk: ScoreInput(None)},
        complete=False,
    )
    assert not VisitScore.objects.filter(visit=draft, item=first).exists()
    assert VisitScore.objects.filter(visit=draft).count() == len(items(campaign)) - 1


def test_a_problem_needs_a_due_date_and_its_status_moves_one_way(org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    assert refusal(services.add_finding, visit=visit, kind=Finding.Kind.PROBLEM, title="台账不全") == {
        "due_on": ["A problem needs a due date."]
    }
    practice = services.add_finding(visit=visit, kind=Finding.Kind.GOOD_PRACTICE, title="好做法")
    assert refusal(services.start_work_on_problem, problem=practice) == ["Only a problem has a status."]
    problem = ProblemFactory(visit=visit)
    assert refusal(services.confirm_fix_at_visit, problem=problem, visit=visit) == [
        "Only a resolved problem can be confirmed."
    ]
    assert refusal(services.set_in_catalogue, finding=problem, in_catalogue=True) == [
        "Only good practices go into the catalogue."
    ]
    services.resolve_problem(problem=problem, resolution="已补齐", evidence="台账照片")
    assert refusal(services.start_work_on_problem, problem=problem) == [
        "Only an open problem can be put in progress."
    ]
    assert refusal(services.resolve_problem, problem=problem, resolution="再次", evidence="x") == {
        "__all__": ["This problem is already resolved."]
    }
    problem.refresh_from_db()
    assert (problem.status, problem.resolution) == (Finding.Status.RESOLVED, "已补齐")


def test_a_meeting_is_recorded_only_for_a_unit_in_scope(org):
    assert refusal(
        services.record_meeting,
        user=org.unit_staff,
        unit=org.city,
        held_on=datetime.date(2020, 5, 10),
        title="例会",
        attendees="李强",
    ) == {"unit": ["This unit is not in your scope."]}
    assert not MeetingAttendance.objects.exists()
