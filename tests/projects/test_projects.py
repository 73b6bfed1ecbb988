"""Branch projects: who sees and edits them, revisions with reasons and diffs, freezing after publishing."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation

from branchtrack.web.concurrency import StaleEditError
from projects import services
from projects.models import Assignment, BranchProject, ProjectRevision
from tests.factories import BranchFactory, DepartmentFactory
from tests.projects.factories import BranchProjectFactory
from tests.responses import followed, shown


def edit_data(project, **changes):
    data = {
        "title": project.title,
        "central_item": project.central_item,
        "departments": [d.pk for d in project.departments.all()],
        "indicator_name": project.indicator_name,
        "indicator_unit": project.indicator_unit,
        "baseline": project.baseline,
        "target": project.target,
        "actual": "" if project.actual is None else project.actual,
        "description": project.description,
        "status": project.status,
        "version": project.version,
        "reason": "",
    }
    data.update(changes)
    return data


def rate(world, user, project, score):
    return services.submit_rating(
        user=user,
        assignment=Assignment.objects.get(project=project),
        values={world.round.criteria.get().pk: Decimal(score)},
    )


def test_a_secretary_edits_their_branchs_project_and_the_change_is_kept(login, org, world):
    client = login(org.secretary)
    response = client.post(
        f"/projects/{world.city.pk}/edit/", edit_data(world.city, description="新增党员责任区挂牌")
    )
    assert response.status_code == 302
    revision = ProjectRevision.objects.get(project=world.city)
    assert (revision.number, revision.changed_by, revision.material, revision.content_changed) == (
        1,
        org.secretary,
        False,
        True,
    )
    assert revision.changes == [{"field": "description", "old": "说明", "new": "新增党员责任区挂牌"}]
    page = client.get(f"/projects/{world.city.pk}/").content.decode()
    assert 'data-testid="revision"' in page and "<ins>新增党员责任区挂牌</ins>" in page


def test_saving_without_a_change_makes_no_revision(login, org, world):
    response = login(org.secretary).post(f"/projects/{world.city.pk}/edit/", edit_data(world.city))
    assert response.status_code == 302
    assert not ProjectRevision.objects.exists()


def test_a_reason_is_required_once_the_project_has_been_rated(login, org, world):
    rate(world, world.county_reviewer, world.city, 80)
    client = login(org.secretary)
    response = client.post(f"/projects/{world.city.pk}/edit/", edit_data(world.city, title="新标题"))
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    response = client.post(
        f"/projects/{world.city.pk}/edit/", edit_data(world.city, title="新标题", reason="更贴切的名称")
    )
    assert response.status_code == 302
    assert ProjectRevision.objects.get().reason == "更贴切的名称"


def test_a_change_of_indicator_is_material_and_asks_the_raters_to_look_again(login, org, world):
    rating = rate(world, world.county_reviewer, world.city, 80)
    login(org.secretary).post(
        f"/projects/{world.city.pk}/edit/", edit_data(world.city, target="6", reason="目标提高")
    )
    revision = ProjectRevision.objects.get()
    assert revision.material
    rating.refresh_from_db()
    assert rating.needs_review
    reviewer = login(world.county_reviewer)
    assert (
        "needs-review"
        in reviewer.get(f"/projects/rounds/{world.round.pk}/rate/{world.city.pk}/").content.decode()
    )
    # Looking again and confirming clears the mark; the score may stay.
    field = f"criterion_{world.round.criteria.get().pk}"
    reviewer.post(
        f"/projects/rounds/{world.round.pk}/rate/{world.city.pk}/", {field: "80", "version": rating.version}
    )
    rating.refresh_from_db()
    assert not rating.needs_review and rating.score == Decimal("80.00")


def test_revised_and_materially_revised_are_single_queries(org, world, django_assert_num_queries):
    services.update_project(
        user=org.admin, project=world.city, data={"description": "补充"}, expected_version=world.city.version
    )
    services.update_project(
        user=org.admin, project=world.county, data={"central_item": "优化营商环境"}, expected_version=1
    )
    services.update_project(
        user=org.admin, project=world.station, data={"actual": Decimal("9")}, expected_version=1
    )
    with django_assert_num_queries(1):
        assert BranchProject.objects.revised().count() == 2  # the actual value is progress, not content
    with django_assert_num_queries(1):
        assert list(BranchProject.objects.materially_revised()) == [world.county]


def test_a_stale_edit_is_refused(org, world):
    services.update_project(user=org.admin, project=world.city, data={"title": "甲"}, expected_version=1)
    with pytest.raises(StaleEditError):
        services.update_project(user=org.admin, project=world.city, data={"title": "乙"}, expected_version=1)


def test_the_secretary_cannot_change_content_once_the_window_has_closed(login, org, world):
    services.close_round(rating_round=world.round, user=org.admin)
    client = login(org.secretary)
    assert 'data-testid="frozen"' in client.get(f"/projects/{world.city.pk}/edit/").content.decode()
    with pytest.raises(services.ValidationError):
        services.update_project(
            user=org.secretary, project=world.city, data={"title": "新"}, expected_version=1
        )
    # Progress still moves.
    response = client.post(f"/projects/{world.city.pk}/edit/", edit_data(world.city, actual="7"))
    assert response.status_code == 302
    world.city.refresh_from_db()
    assert world.city.actual == Decimal("7")


def test_rated_content_is_frozen_for_everybody_after_publishing(login, org, world):
    rate(world, world.county_reviewer, world.city, 80)
    services.close_round(rating_round=world.round, user=org.admin)
    services.publish_tracking_list(rating_round=world.round, user=org.admin)
    with translation.override("en"), pytest.raises(services.ValidationError) as refused:
        services.update_project(
            user=org.admin, project=world.city, data={"target": Decimal("1")}, reason="改", expected_version=1
        )
    assert refused.value.messages == [
        "The 2020 tracking list is published, so what was rated is frozen: only the indicator's actual value "
        "and the status can still change."
    ]
    world.city.refresh_from_db()
    assert world.city.target == Decimal("8")


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("staff", 200), ("secretary", 200), ("unit_staff", 404)]
)
def test_a_project_outside_the_scope_is_not_found(login, org, world, role, status):
    assert login(getattr(org, role)).get(f"/projects/{world.city.pk}/").status_code == status


def test_a_secretary_sees_only_their_own_branchs_project(login, org, world):
    client = login(org.secretary)
    assert client.get(f"/projects/{world.county.pk}/").status_code == 404
    assert client.get(f"/projects/{world.county.pk}/edit/").status_code == 404
    page = client.get("/projects/").content.decode()
    assert "city项目" in page and "county项目" not in page


def test_staff_and_reviewers_do_not_edit_projects(login, org, world):
    assert login(org.staff).get(f"/projects/{world.city.pk}/edit/").status_code == 403


def test_a_reviewer_sees_their_departments_projects_except_their_own_units(login, org, world):
    page = login(org.reviewer).get("/projects/").content.decode()
    assert "county项目" in page and "station项目" in page and "city项目" not in page
    assert login(org.reviewer).get(f"/projects/{world.city.pk}/").status_code == 404


def test_the_project_list_filters_and_exports_exactly_the_filtered_rows(login, org, world):
    services.update_project(
        user=org.admin, project=world.county, data={"central_item": "新"}, expected_version=1
    )
    BranchProjectFactory(branch=BranchFactory(unit=org.city), year=2021, title="2021项目")
    client = login(org.admin)
    page = client.get("/projects/", {"revised": "true"}).content.decode()
    assert "county项目" in page and "city项目" not in page
    page = client.get("/projects/", {"unit": org.county.pk, "year": 2020}).content.decode()
    assert "county项目" in page and "station项目" in page and "city项目" not in page
    response = client.get("/projects/", {"unit": org.county.pk, "year": 2020, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3 and {row[4] for row in rows[1:]} == {"county项目", "station项目"}


@pytest.mark.parametrize(
    "junk",
    [{"year": "abc"}, {"unit": "x"}, {"on_tracking_list": "maybe"}, {"ordering": "nope"}, {"page": "x"}],
)
def test_junk_filter_values_never_break_the_project_list(login, org, world, junk):
    assert login(org.admin).get("/projects/", junk).status_code in (200, 400)


def test_the_history_keeps_every_version_of_a_project(org, world):
    services.update_project(
        user=org.admin, project=world.city, data={"title": "甲"}, reason="一", expected_version=1
    )
    services.update_project(
        user=org.admin, project=world.city, data={"title": "乙"}, reason="二", expected_version=2
    )
    history = list(world.city.history.order_by("history_date"))
    assert [(h.title, h.history_change_reason) for h in history[-2:]] == [("甲", "一"), ("乙", "二")]
    assert history[0].title == "city项目"


def test_while_the_round_is_open_who_rates_follows_the_projects_departments(org, world):
    marketing = DepartmentFactory(code="D-MKT")
    services.update_project(
        user=org.admin, project=world.county, data={"departments": [marketing]}, expected_version=1
    )
    assert set(
        Assignment.objects.filter(project=world.county).values_list("department__code", flat=True)
    ) == {"D-MKT"}
    rate(world, org.reviewer, world.station, 70)
    services.update_project(
        user=org.admin,
        project=world.station,
        data={"departments": [marketing]},
        expected_version=1,
        reason="调整",
    )
    # The department that already rated keeps its assignment.
    assert set(
        Assignment.objects.filter(project=world.station).values_list("department__code", flat=True)
    ) == {
        "D-MKT",
        "D-OPS",
    }


def test_a_secretary_enters_the_branchs_project_for_the_open_rounds_year(login, org, world):
    BranchProject.objects.filter(branch=org.city_branch).delete()
    client = login(org.secretary)
    assert 'data-testid="enter-project"' in client.get("/projects/").content.decode()
    response = client.post(
        "/projects/new/",
        {
            "title": "党员责任区",
            "central_item": "提升供电可靠性",
            "departments": [org.department.pk],
            "indicator_name": "跳闸次数",
            "indicator_unit": "次",
            "baseline": "10",
            "target": "6",
            "description": "",
        },
    )
    assert response.status_code == 302
    project = BranchProject.objects.get(branch=org.city_branch, year=2020)
    assert Assignment.objects.filter(project=project, round=world.round, department=org.department).exists()
    # One per branch and year: the button is gone and the page sends the secretary back.
    assert 'data-testid="enter-project"' not in client.get("/projects/").content.decode()
    page = followed(client, client.get("/projects/new/"), to="/projects/")
    assert shown("Your branch has no project to enter now.") in page


def test_no_new_project_once_the_window_has_closed(org, world):
    services.close_round(rating_round=world.round, user=org.admin)
    with pytest.raises(services.ValidationError):
        services.create_project(
            user=org.secretary, branch=BranchFactory(unit=org.city), year=2020, data={}, departments=[]
        )
