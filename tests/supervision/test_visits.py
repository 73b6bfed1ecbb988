"""Logging a visit in the browser: scope, validation next to the field, drafts, completion, versions."""

import datetime
from decimal import Decimal

import pytest

from supervision.models import ChecklistItem, Visit
from tests.factories import BranchFactory
from tests.supervision.factories import CampaignFactory, ProblemFactory, VisitFactory


def _items(campaign):
    return list(
        ChecklistItem.objects.filter(area__template=campaign.template).order_by("area__order", "order")
    )


def _post_data(campaign, branch, *, action="complete", score="8", **overrides):
    data = {
        "branch": branch.pk,
        "visited_on": "2020-06-15",
        "visitors": "王芳、李强",
        "overall_comment": "总体规范",
        "action": action,
    }
    for item in _items(campaign):
        data[f"score_{item.pk}"] = score
        data[f"remark_{item.pk}"] = ""
    data.update(overrides)
    return data


def _url(campaign):
    return f"/supervision/campaigns/{campaign.pk}/visits/new/"


@pytest.mark.django_db
def test_staff_log_and_complete_a_visit(login, org, campaign):
    client = login(org.unit_staff)
    page = client.get(_url(campaign), {"branch": org.station_branch.pk})
    assert page.status_code == 200
    assert 'name="viewport"' in page.content.decode()

    response = client.post(_url(campaign), _post_data(campaign, org.station_branch))

    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/visits/{visit.pk}/"
    assert visit.is_completed and visit.created_by == org.unit_staff
    assert visit.scores.count() == 9
    assert visit.template == campaign.template


@pytest.mark.django_db
def test_a_draft_may_leave_items_unscored(login, org, campaign):
    client = login(org.staff)
    data = _post_data(campaign, org.city_branch, action="draft", score="")
    assert client.post(_url(campaign), data).status_code == 302
    visit = Visit.objects.get()
    assert visit.status == Visit.Status.DRAFT and visit.scores.count() == 0


@pytest.mark.django_db
def test_a_score_out_of_range_is_shown_next_to_its_item_and_nothing_is_saved(login, org, campaign):
    item = _items(campaign)[4]
    data = _post_data(campaign, org.city_branch, **{f"score_{item.pk}": "11"})

    response = login(org.staff).post(_url(campaign), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_score_{item.pk}_error">请给出 0.0 到 10.0 之间的分数。' in page
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_a_date_outside_the_campaign_is_refused(login, org, campaign):
    response = login(org.staff).post(
        _url(campaign), _post_data(campaign, org.city_branch, visited_on="2021-01-05")
    )
    assert response.status_code == 400
    assert (
        'id="id_visited_on_error">日期须在活动期间内（2020-03-01 至 2020-12-31）。'
        in response.content.decode()
    )
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_completing_needs_every_item_scored(login, org, campaign):
    item = _items(campaign)[0]
    response = login(org.staff).post(
        _url(campaign), _post_data(campaign, org.city_branch, **{f"score_{item.pk}": ""})
    )
    assert response.status_code == 400
    assert f'id="id_score_{item.pk}_error">完成调研督导前请为每一项打分。' in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_errors_speak_english_to_english_users(login, org, campaign):
    client = login(org.staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    item = _items(campaign)[0]
    response = client.post(
        _url(campaign), _post_data(campaign, org.city_branch, **{f"score_{item.pk}": "-1"})
    )
    assert "Give a score from 0.0 to 10.0." in response.content.decode()


@pytest.mark.django_db
def test_unit_staff_cannot_log_a_visit_to_another_units_branch(login, org, campaign):
    client = login(org.unit_staff)
    assert client.get(_url(campaign), {"branch": org.city_branch.pk}).status_code == 404
    assert client.post(_url(campaign), _post_data(campaign, org.city_branch)).status_code == 404
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_a_branch_outside_the_campaign_or_inactive_is_not_offered(login, org):
    campaign = CampaignFactory(scope=[org.station])
    closed = BranchFactory(unit=org.station, active=False)
    client = login(org.unit_staff)
    for branch in (org.county_branch, closed):
        response = client.post(_url(campaign), _post_data(campaign, branch))
        assert response.status_code == 400
        assert 'id="id_branch_error"' in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_other_roles_cannot_log_visits(login, org, campaign):
    assert login(org.secretary).get(_url(campaign)).status_code == 403


@pytest.mark.django_db
def test_a_repeat_visit_shows_the_last_scores_and_open_problems_beside_the_form(login, org, campaign):
    last = VisitFactory(campaign=campaign, branch=org.city_branch, score=Decimal("6.5"))
    ProblemFactory(visit=last, title="台账更新不及时")

    page = login(org.staff).get(_url(campaign), {"branch": org.city_branch.pk}).content.decode()

    assert 'data-testid="previous-visit"' in page
    assert page.count('data-testid="previous-score"') == 9
    assert "上次：6.5" in page
    assert "台账更新不及时" in page


@pytest.mark.django_db
def test_editing_a_visit_someone_else_saved_meanwhile_is_refused(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch, status=Visit.Status.DRAFT)
    client = login(org.staff)
    data = _post_data(campaign, org.city_branch, action="draft", version=visit.version)
    assert client.post(f"/supervision/visits/{visit.pk}/edit/", data).status_code == 302
    stale = client.post(f"/supervision/visits/{visit.pk}/edit/", {**data, "visitors": "张三"})
    assert stale.status_code == 400
    assert "已有其他人保存了这条记录" in stale.content.decode()
    visit.refresh_from_db()
    assert visit.visitors == "王芳、李强" and visit.version == 2


@pytest.mark.django_db
def test_completing_a_draft_later_counts_it(login, org, campaign, django_capture_on_commit_callbacks):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch, status=Visit.Status.DRAFT)
    data = _post_data(campaign, org.city_branch, version=visit.version)
    client = login(org.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/supervision/visits/{visit.pk}/edit/", data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.is_completed and visit.completed_at is not None
    assert campaign.snapshots.get(unit=None).visited_branches == 1


@pytest.mark.django_db
def test_visits_of_other_units_are_not_found(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    client = login(org.unit_staff)
    assert client.get(f"/supervision/visits/{visit.pk}/").status_code == 404
    assert client.get(f"/supervision/visits/{visit.pk}/edit/").status_code == 404


@pytest.mark.django_db
def test_a_secretary_sees_their_branch_visits_only(login, org, campaign):
    own = VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 4, 1))
    VisitFactory(campaign=campaign, branch=org.county_branch)
    client = login(org.secretary)
    page = client.get("/supervision/visits/").content.decode()
    assert f"/supervision/visits/{own.pk}/" in page
    assert "县公司党支部" not in page
    assert client.get(f"/supervision/visits/{own.pk}/").status_code == 200
    assert client.post(f"/supervision/visits/{own.pk}/", {"kind": "problem"}).status_code == 404


@pytest.mark.django_db
def test_the_visit_list_exports_exactly_the_filtered_rows(login, org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    VisitFactory(campaign=campaign, branch=org.station_branch)
    response = login(org.staff).get("/supervision/visits/", {"unit": org.county.pk, "export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and "供电所党支部" in lines[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "junk", [{"unit": "x"}, {"status": "maybe"}, {"visited_after": "yesterday"}, {"page": "z"}]
)
def test_junk_filters_answer_400_not_500(login, org, junk):
    assert login(org.staff).get("/supervision/visits/", junk).status_code in (200, 400)


@pytest.mark.django_db
def test_the_service_itself_refuses_a_branch_outside_scope_or_inactive(org, campaign, inactive_branch):
    from django.core.exceptions import ValidationError

    from supervision.services import create_visit

    for user, branch in ((org.unit_staff, org.city_branch), (org.staff, inactive_branch)):
        with pytest.raises(ValidationError) as error:
            create_visit(
                user=user,
                campaign=campaign,
                branch=branch,
                visited_on=datetime.date(2020, 6, 1),
                visitors="王芳",
                scores={},
                complete=False,
            )
        assert "branch" in error.value.message_dict
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_the_visit_page_shows_weighted_area_scores_and_the_total(login, org, campaign):
    item = ChecklistItem.objects.filter(area__template=campaign.template, area__code="A1").first()
    item.weight = Decimal("1.5")
    item.save()  # still allowed: no visit has used the checklist yet
    visit = VisitFactory(campaign=campaign, branch=org.city_branch, score=Decimal("8"))
    page = login(org.staff).get(f"/supervision/visits/{visit.pk}/").content.decode()
    assert 'data-testid="area-score">28.0<' in page  # 8 x 1.5 + 8 + 8
    assert 'data-testid="total-score">76.0<' in page
