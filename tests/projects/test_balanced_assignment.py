"""The balanced assignment page: parameters, a preview of what moves, a save in one transaction;
reviewers' queues then show their own assignments, and a re-run moves as little as possible."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from org.models import Role
from projects import services
from projects.models import Assignment, DeclaredConflict, RatingRound
from tests.factories import DepartmentFactory, UnitFactory, UserFactory
from tests.responses import followed, shown


def said(message: str, **params) -> str:
    with translation.override("zh-hans"):
        return escape(gettext(message) % params)


@pytest.fixture
def hq_reviewer(org):
    """A reviewer of another department at headquarters: no conflict with any branch."""
    return UserFactory(
        username="t-hq-reviewer",
        role=Role.REVIEWER,
        unit=UnitFactory(parent=org.company, code="C-HQ"),
        department=DepartmentFactory(code="D-MKT", name="市场营销部"),
    )


def assign_url(world, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/projects/rounds/{world.round.pk}/assign/" + (f"?{query}" if query else "")


def named(world):
    return sorted(
        (a.project.title, a.reviewer.username)
        for a in Assignment.objects.filter(round=world.round, reviewer__isnull=False).select_related(
            "project", "reviewer"
        )
    )


def queue_titles(client, world):
    page = client.get(f"/projects/queue/?round={world.round.pk}").content.decode()
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    return sorted(title for title in ("city项目", "county项目", "station项目") if title in table)


def test_preview_then_save_assigns_named_reviewers_and_their_queues_show_them(login, org, world, hq_reviewer):
    client = login(org.admin)
    page = client.get(assign_url(world))
    assert page.status_code == 200 and 'data-testid="balance-figures"' not in page.content.decode()

    preview = client.get(assign_url(world, per_project=2, cap=3)).content.decode()
    assert 'data-testid="added">6<' in preview and 'data-testid="kept">0<' in preview
    assert 'data-testid="short-count">0<' in preview
    assert Assignment.objects.filter(round=world.round, reviewer__isnull=False).count() == 0  # nothing saved

    response = client.post(assign_url(world), {"per_project": 2, "cap": 3})
    page = followed(client, response, to=f"/projects/rounds/{world.round.pk}/")
    assert (
        said(
            "Assignments saved: %(kept)s kept, %(added)s added, %(removed)s removed; "
            "%(short)s projects short of %(per_project)s reviewers.",
            kept=0,
            added=6,
            removed=0,
            short=0,
            per_project=2,
        )
        in page
    )
    assert named(world) == [
        ("city项目", "t-hq-reviewer"),
        ("city项目", "t-reviewer2"),
        ("county项目", "t-hq-reviewer"),
        ("county项目", "t-reviewer"),
        ("station项目", "t-hq-reviewer"),
        ("station项目", "t-reviewer"),
    ]
    # The department-wide rows gave way to the named ones.
    assert not Assignment.objects.filter(round=world.round, reviewer__isnull=True).exists()
    assert queue_titles(login(org.reviewer), world) == ["county项目", "station项目"]
    assert queue_titles(login(world.county_reviewer), world) == ["city项目"]
    assert queue_titles(login(hq_reviewer), world) == ["city项目", "county项目", "station项目"]


def test_a_rerun_keeps_what_is_still_allowed_and_says_why_a_project_is_short(login, org, world, hq_reviewer):
    with translation.override("en"):
        services.save_balanced_assignment(rating_round=world.round, user=org.admin, per_project=2, cap=3)
    before = named(world)
    client = login(org.admin)
    again = client.get(assign_url(world, per_project=2, cap=3)).content.decode()
    assert 'data-testid="kept">6<' in again and 'data-testid="added">0<' in again
    assert said("Nothing moves.") in again

    # The headquarters reviewer declares a conflict on the station project: only it moves.
    assignment = Assignment.objects.get(round=world.round, project=world.station, reviewer=hq_reviewer)
    services.declare_conflict(user=hq_reviewer, assignment=assignment, reason="亲属在该所")
    assert DeclaredConflict.objects.get().needs_reassignment is True
    preview = client.get(assign_url(world, per_project=2, cap=3)).content.decode()
    assert 'data-testid="kept">5<' in preview and 'data-testid="removed">1<' in preview
    short = preview.split('data-testid="short-projects"')[1].split("</table>")[0]
    assert "station项目" in short
    assert (
        said(
            "Too few reviewers may rate it: %(allowed)s (the others are of its own unit or declared a conflict).",
            allowed=1,
        )
        in short
    )
    plan = services.save_balanced_assignment(rating_round=world.round, user=org.admin, per_project=2, cap=3)
    assert (plan.kept, plan.added, plan.removed, plan.short) == (5, 0, 1, {world.station.pk: 1})
    assert named(world) == [pair for pair in before if pair != ("station项目", "t-hq-reviewer")]

    # A cap too low: the reviewers who may rate it are full.
    tight = client.get(assign_url(world, per_project=2, cap=1)).content.decode()
    assert shown("Every reviewer who may rate it is at the cap: raise the cap.") in tight


def test_a_named_assignment_is_rated_only_by_its_reviewer(login, org, world):
    """A colleague of the same department, free of any conflict, neither sees nor rates it."""
    colleague = UserFactory(
        username="t-hq-colleague",
        role=Role.REVIEWER,
        unit=UnitFactory(parent=org.company, code="C-HQ2"),
        department=org.department,
    )
    Assignment.objects.filter(round=world.round).delete()
    city = Assignment.objects.create(
        round=world.round, project=world.city, department=org.department, reviewer=world.county_reviewer
    )
    assert queue_titles(login(colleague), world) == []
    assert queue_titles(login(world.county_reviewer), world) == ["city项目"]
    with pytest.raises(PermissionDenied):
        services.submit_rating(user=colleague, assignment=city, values={world.round.criteria.get().pk: 80})
    rating = services.submit_rating(
        user=world.county_reviewer, assignment=city, values={world.round.criteria.get().pk: 80}
    )
    assert rating.department == org.department


def test_junk_parameters_answer_400_with_their_messages(login, org, world):
    client = login(org.admin)
    response = client.get(assign_url(world, per_project="abc", cap=0))
    assert response.status_code == 400
    page = response.content.decode()
    assert shown("Enter a whole number.") in page
    with translation.override("zh-hans"):
        assert (
            escape(
                gettext("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": 1}
            )
            in page
        )
    response = client.post(assign_url(world), {"per_project": "", "cap": "5"})
    assert response.status_code == 400
    assert shown("Say how many reviewers rate each project.") in response.content.decode()
    assert not Assignment.objects.filter(reviewer__isnull=False).exists()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.save_balanced_assignment(rating_round=world.round, user=org.admin, per_project=0, cap=0)
    assert refused.value.message_dict == {"per_project": ["Between 1 and 20."], "cap": ["At least 1."]}


def test_a_closed_round_keeps_its_assignments(login, org, world):
    world.round.status = RatingRound.Status.CLOSED
    world.round.save()
    client = login(org.admin)
    response = client.get(assign_url(world, per_project=1, cap=5))
    page = followed(client, response, to=f"/projects/rounds/{world.round.pk}/")
    assert (
        said(
            "The rating window of %(round)s is closed: its assignments can no longer change.",
            round=world.round,
        )
        in page
    )
    with pytest.raises(ValidationError):
        services.save_balanced_assignment(rating_round=world.round, user=org.admin, per_project=1, cap=5)
    with pytest.raises(PermissionDenied):
        services.save_balanced_assignment(rating_round=world.round, user=org.unit_admin, per_project=1, cap=5)


def test_opening_a_balanced_draft_round_adds_no_department_wide_rows(org, world, hq_reviewer):
    world.round.status = RatingRound.Status.DRAFT
    world.round.save()
    Assignment.objects.filter(round=world.round).delete()
    services.save_balanced_assignment(rating_round=world.round, user=org.admin, per_project=2, cap=3)
    assert services.open_round(rating_round=world.round, user=org.admin) == 0
    assert Assignment.objects.filter(round=world.round, reviewer__isnull=True).count() == 0
