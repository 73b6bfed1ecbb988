"""Findings: problems with owner, due date and status; resolved only with evidence; good-practice catalogue."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from org.models import User
from supervision import services
from supervision.models import Finding
from tests.supervision.factories import ProblemFactory, VisitFactory

TODAY = datetime.date(2021, 1, 15)


@pytest.mark.django_db
def test_staff_add_a_problem_with_owner_and_due_date_from_the_visit_page(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.station_branch)
    client = login(org.unit_staff)
    url = f"/supervision/visits/{visit.pk}/"

    missing_due = client.post(url, {"kind": "problem", "title": "台账不全", "owner_unit": org.station.pk})
    assert missing_due.status_code == 400
    assert 'id="id_due_on_error">问题须设定整改期限。' in missing_due.content.decode()

    data = {"kind": "problem", "title": "台账不全", "owner_unit": org.station.pk, "due_on": "2020-08-01"}
    assert client.post(url, data).status_code == 302
    problem = Finding.objects.get()
    assert (problem.owner_unit, problem.status, problem.due_on) == (
        org.station,
        "open",
        datetime.date(2020, 8, 1),
    )


@pytest.mark.django_db
def test_a_problem_cannot_be_owned_by_a_unit_outside_the_users_scope(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.station_branch)
    data = {"kind": "problem", "title": "台账不全", "owner_unit": org.city.pk, "due_on": "2020-08-01"}
    response = login(org.unit_staff).post(f"/supervision/visits/{visit.pk}/", data)
    assert response.status_code == 400
    assert not Finding.objects.exists()


@pytest.mark.django_db
def test_a_problem_is_resolved_only_with_evidence_of_the_fix(login, org, campaign):
    problem = ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.city_branch))
    client = login(org.staff)
    url = f"/supervision/problems/{problem.pk}/"

    refused = client.post(url, {"action": "resolve", "resolution": "已补齐台账", "evidence": ""})
    assert refused.status_code == 400
    assert 'id="id_evidence_error"' in refused.content.decode()
    problem.refresh_from_db()
    assert problem.status == "open"

    assert client.post(url, {"action": "start"}).status_code == 302
    done = client.post(
        url, {"action": "resolve", "resolution": "已补齐台账", "evidence": "台账照片 2020-08-02"}
    )
    assert done.status_code == 302
    problem.refresh_from_db()
    assert (problem.status, problem.evidence) == ("resolved", "台账照片 2020-08-02")
    assert problem.resolved_on is not None


@pytest.mark.django_db
def test_the_service_refuses_a_blank_resolution_too(org, campaign):
    problem = ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.city_branch))
    with pytest.raises(ValidationError) as error:
        services.resolve_problem(problem=problem, resolution="  ", evidence="照片")
    assert "resolution" in error.value.message_dict


@pytest.mark.django_db
def test_a_later_visit_confirms_the_fix(login, org, campaign):
    first = VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 5, 1))
    problem = ProblemFactory(visit=first)
    services.resolve_problem(problem=problem, resolution="已整改", evidence="整改报告")
    second = VisitFactory(campaign=campaign, branch=org.city_branch, visited_on=datetime.date(2020, 9, 1))
    client = login(org.staff)

    page = client.get(f"/supervision/visits/{second.pk}/").content.decode()
    assert "本次调研需复查确认的已整改问题" in page
    response = client.post(f"/supervision/problems/{problem.pk}/", {"action": "confirm", "visit": second.pk})

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.confirmed_by_visit == second
    with pytest.raises(ValidationError):
        services.confirm_fix_at_visit(problem=problem, visit=first)


@pytest.mark.django_db
def test_the_problem_list_filters_overdue_problems_and_shows_them_first(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    late = ProblemFactory(visit=visit, title="逾期问题", due_on=datetime.date(2020, 7, 1))
    ProblemFactory(
        visit=visit, title="未到期问题", due_on=datetime.date.today() + datetime.timedelta(days=30)
    )
    client = login(org.staff)

    page = client.get("/supervision/problems/").content.decode()
    assert page.index("逾期问题") < page.index("未到期问题")
    assert 'class="overdue"' in page
    overdue_only = client.get("/supervision/problems/", {"overdue": "1"}).content.decode()
    assert "逾期问题" in overdue_only and "未到期问题" not in overdue_only
    assert (
        late.title
        in client.get("/supervision/problems/", {"status": "open", "unit": org.city.pk}).content.decode()
    )


@pytest.mark.django_db
def test_the_problem_export_holds_exactly_the_filtered_rows(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    ProblemFactory(visit=visit, title="逾期问题", due_on=datetime.date(2020, 7, 1))
    ProblemFactory(
        visit=visit, title="未到期问题", due_on=datetime.date.today() + datetime.timedelta(days=30)
    )
    response = login(org.staff).get("/supervision/problems/", {"overdue": "1", "export": "csv"})
    rows = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 2 and "逾期问题" in rows[1]
    xlsx = login(org.staff).get("/supervision/problems/", {"overdue": "0", "export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    # The overdue column speaks the export's language: 是 in Chinese, "yes" in English (it wrote 是).
    assert rows[1].split(",")[7] == "是"
    client = login(org.staff)
    client.cookies["django_language"] = "en"
    english = client.get(
        "/supervision/problems/", {"overdue": "1", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    lines = b"".join(english.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].split(",")[7] == "Overdue" and lines[1].split(",")[7] == "yes"


@pytest.mark.django_db
def test_unit_staff_see_only_problems_of_their_subtree(login, org, campaign):
    ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.city_branch), title="城区问题")
    own = ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.station_branch), title="供电所问题")
    client = login(org.unit_staff)
    page = client.get("/supervision/problems/").content.decode()
    assert "供电所问题" in page and "城区问题" not in page
    city_problem = Finding.objects.get(title="城区问题")
    assert client.get(f"/supervision/problems/{city_problem.pk}/").status_code == 404
    assert client.get(f"/supervision/problems/{own.pk}/").status_code == 200
    assert client.get("/supervision/problems/", {"unit": org.city.pk}).status_code == 400


@pytest.mark.django_db
def test_overdue_problems_are_escalated_to_the_owner_units_admin(login, org, campaign):
    late = ProblemFactory(
        visit=VisitFactory(campaign=campaign, branch=org.county_branch), due_on=datetime.date(2020, 7, 1)
    )
    ProblemFactory(
        visit=VisitFactory(campaign=campaign, branch=org.city_branch), due_on=datetime.date(2020, 7, 1)
    )

    assert services.escalate_overdue_problems(today=TODAY) == 2
    assert services.escalate_overdue_problems(today=TODAY) == 0  # flagged once

    page = login(org.unit_admin).get("/supervision/problems/").content.decode()
    assert 'data-testid="escalated"' in page and "本单位有 1 个逾期问题已上报给您" in page
    late.refresh_from_db()
    assert late.escalated_at is not None


@pytest.mark.django_db
def test_good_practices_promoted_to_the_catalogue_are_visible_to_every_role(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.station_branch)
    practice = services.add_finding(visit=visit, kind=Finding.Kind.GOOD_PRACTICE, title="“微信群+村村响”")
    services.add_finding(visit=visit, kind=Finding.Kind.GOOD_PRACTICE, title="未推荐的做法")

    staff = login(org.unit_staff)
    assert (
        staff.post(f"/supervision/good-practices/{practice.pk}/catalogue/", {"in_catalogue": "1"}).status_code
        == 302
    )
    practice.refresh_from_db()
    assert practice.in_catalogue

    page = login(org.reviewer).get("/supervision/good-practices/").content.decode()
    assert "微信群+村村响" in page and "未推荐的做法" not in page


@pytest.mark.django_db
def test_staff_cannot_promote_a_practice_outside_their_scope(login, org, campaign):
    visit = VisitFactory(campaign=campaign, branch=org.city_branch)
    practice = services.add_finding(visit=visit, kind=Finding.Kind.GOOD_PRACTICE, title="城区做法")
    response = login(org.unit_staff).post(
        f"/supervision/good-practices/{practice.pk}/catalogue/", {"in_catalogue": "1"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # A visit id that cannot be one is a visit that does not exist, like any unknown object: 404.
        ({"action": "confirm", "visit": "abc"}, 404),
        ({"action": "confirm", "visit": "²"}, 404),
        ({"action": "confirm"}, 404),
        # An action the page does not offer: the page again, refused, with nothing changed.
        ({"action": "dance"}, 400),
    ],
)
def test_junk_problem_actions_never_answer_500(login, org, campaign, data, expected):
    problem = ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.city_branch))
    before = Finding.objects.values().get(pk=problem.pk)
    response = login(org.staff).post(f"/supervision/problems/{problem.pk}/", data)
    assert response.status_code == expected
    assert Finding.objects.values().get(pk=problem.pk) == before


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 200


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
def test_a_photo_of_the_fix_is_evidence_enough_and_only_the_problems_viewers_see_it(
    login, org, campaign, media
):
    problem = ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.city_branch))
    client = login(org.staff)

    response = client.post(
        f"/supervision/problems/{problem.pk}/",
        {
            "action": "resolve",
            "resolution": "补齐了支委会记录",
            "evidence_file": SimpleUploadedFile("整改照片.jpg", JPEG, content_type="image/jpeg"),
        },
    )

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Finding.Status.RESOLVED and problem.evidence == ""
    assert problem.evidence_content_type == "image/jpeg"
    page = client.get(f"/supervision/problems/{problem.pk}/").content.decode()
    assert 'data-testid="evidence-file"' in page and "整改照片.jpg" in page
    photo = client.get(f"/supervision/problems/{problem.pk}/evidence/")
    assert photo["Content-Type"] == "image/jpeg" and b"".join(photo.streaming_content) == JPEG
    # The county's staff do not see the city's problem, nor its evidence.
    assert login(org.unit_staff).get(f"/supervision/problems/{problem.pk}/evidence/").status_code == 404


@pytest.mark.django_db
def test_a_file_that_is_not_a_photo_or_pdf_is_refused_and_nothing_is_kept(login, org, campaign, media):
    problem = ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.city_branch))

    response = login(org.staff).post(
        f"/supervision/problems/{problem.pk}/",
        {
            "action": "resolve",
            "resolution": "已整改",
            "evidence": "见附件",
            "evidence_file": SimpleUploadedFile(
                "整改.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg"
            ),
        },
    )

    assert response.status_code == 400
    assert "“整改.jpg”不是照片（JPEG、PNG、WebP）或 PDF 文件。" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == Finding.Status.OPEN
    assert not (media / "supervision").exists()


@pytest.mark.django_db
def test_a_resolution_without_any_evidence_is_refused(login, org, campaign):
    problem = ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.city_branch))
    response = login(org.staff).post(
        f"/supervision/problems/{problem.pk}/", {"action": "resolve", "resolution": "已整改"}
    )
    assert response.status_code == 400
    assert 'id="id_evidence_error"' in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == Finding.Status.OPEN


@pytest.mark.django_db
def test_escalating_without_notice_flags_and_sends_nothing(
    org, campaign, django_capture_on_commit_callbacks, mailoutbox
):
    User.objects.filter(pk=org.unit_admin.pk).update(email="county-admin@example.com")
    problem = ProblemFactory(
        visit=VisitFactory(campaign=campaign, branch=org.county_branch), due_on=datetime.date(2020, 7, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue_problems(today=TODAY, notify=False) == 1
    problem.refresh_from_db()
    assert problem.escalated_at is not None
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_finding_and_resolve_forms_open_with_an_error_summary_linking_each_field(login, org, campaign):
    # The errors sat next to their fields only, often below the fold on a phone: now a summary on
    # top says nothing was saved and links to each field at fault.
    visit = VisitFactory(campaign=campaign, branch=org.station_branch)
    client = login(org.unit_staff)
    finding = client.post(
        f"/supervision/visits/{visit.pk}/",
        {"kind": "problem", "title": "台账不全", "owner_unit": org.station.pk},
    ).content.decode()
    summary = finding[finding.index('data-testid="error-summary"') :]
    assert (
        summary.index("未保存任何内容")
        < summary.index('href="#id_due_on"')
        < summary.index("问题须设定整改期限。")
    )

    problem = ProblemFactory(visit=VisitFactory(campaign=campaign, branch=org.city_branch))
    resolve = login(org.staff).post(
        f"/supervision/problems/{problem.pk}/",
        {"action": "resolve", "resolution": "已补齐台账", "evidence": ""},
    )
    assert resolve.status_code == 400
    page = resolve.content.decode()
    assert 'data-testid="error-summary"' in page and 'href="#id_evidence"' in page
