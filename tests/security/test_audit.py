"""The audit trail: every change to a business record, who made it, when, old and new values,
shown to company-level administrators per object and in one searchable log."""

import datetime

import pytest
from django.apps import apps
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from org.models import Branch
from security.audit import audited_models
from tests.factories import BranchFactory, UnitFactory
from tests.query_budget import assert_page_within_budget

# Apps whose every model is a business record and must keep its history.
BUSINESS_APPS = ["branchtrack", "supervision", "projects", "pairings", "assessment"]
# Models that are deliberately not audited, and why.
NOT_AUDITED = {
    "branchtrack.user_groups": "Django's many-to-many table",
    "branchtrack.user_user_permissions": "Django's many-to-many table",
    "assessment.snapshotrow": "rows of a frozen year snapshot: written once, never edited",
    "assessment.snapshotunit": "the unit tree of a frozen year snapshot: written once, never edited",
    "assessment.exportjob": "a background export's progress, not a business record",
}


@pytest.fixture
def superadmin(org):
    # The Django admin needs model permissions; the company administrator of the demo is a superuser.
    org.admin.is_superuser = True
    org.admin.save()
    return org.admin


def edit_branch_in_admin(client, branch, **changes):
    data = {
        "code": branch.code,
        "name": branch.name,
        "unit": branch.unit_id,
        "secretary": branch.secretary,
        "member_count": branch.member_count,
        "active": "on" if branch.active else "",
        **changes,
    }
    response = client.post(f"/admin/branchtrack/branch/{branch.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_every_business_model_keeps_its_history():
    audited = {a.model for a in audited_models()}
    missing = [
        model._meta.label_lower
        for label in BUSINESS_APPS
        if label in {config.label for config in apps.get_app_configs()}
        for model in apps.get_app_config(label).get_models()
        if model not in audited
        and not model._meta.label.split(".")[1].startswith("Historical")
        and model._meta.label_lower not in NOT_AUDITED
        and not model._meta.auto_created
    ]
    assert missing == []


def test_the_audit_log_lists_models_of_every_app_without_registration(login, org):
    page = login(org.admin).get("/audit/").content.decode()
    for key in ("branchtrack.branch", "branchtrack.unit", "branchtrack.department", "branchtrack.user"):
        assert f'value="{key}"' in page


def test_an_edit_shows_who_when_and_old_and_new_values(login, org, superadmin):
    client = login(superadmin)
    edit_branch_in_admin(client, org.city_branch, secretary="李娜", unit=org.county.pk)
    page = client.get(f"/audit/branchtrack.branch/{org.city_branch.pk}/").content.decode()
    assert "城区党支部" in page
    assert "t-admin" in page
    assert "<del>张伟</del> → <ins>李娜</ins>" in page
    # A foreign key shows the names of the old and new unit, not their ids.
    assert "<del>城区公司</del> → <ins>县公司</ins>" in page
    assert page.count('data-testid="audit-entry"') == 2  # created, then changed


def test_the_log_is_searchable_by_text_user_type_change_and_date(login, org, superadmin):
    client = login(superadmin)
    edit_branch_in_admin(client, org.station_branch, secretary="赵六")
    client.post("/org/import/")  # nothing: the audit log must not list non-changes

    def entries(**query):
        return client.get("/audit/", query).content.decode().count('data-testid="audit-entry"')

    assert entries(q="赵六") == 1
    assert entries(q="供电所党支部", action="~") == 1
    assert entries(user="t-admin", model="branchtrack.branch") == 1
    assert entries(model="branchtrack.department") == 1  # the fixture's department, created
    today = timezone.localdate()
    assert entries(date_from=(today + datetime.timedelta(days=1)).isoformat()) == 0
    assert entries(date_to=today.isoformat()) >= 9


def test_a_deleted_record_keeps_its_history(login, org, superadmin):
    branch = BranchFactory(unit=org.city, name="将撤销的支部")
    pk = branch.pk
    client = login(superadmin)
    response = client.post(f"/admin/branchtrack/branch/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Branch.objects.filter(pk=pk).exists()
    page = client.get(f"/audit/branchtrack.branch/{pk}/").content.decode()
    assert "将撤销的支部" in page
    assert page.count('data-testid="audit-entry"') == 2


@pytest.mark.parametrize("who", ["unit_admin", "staff", "unit_staff", "reviewer", "secretary"])
def test_only_company_administrators_read_the_audit_trail(login, org, who):
    client = login(getattr(org, who))
    assert client.get("/audit/").status_code == 403
    assert client.get(f"/audit/branchtrack.branch/{org.city_branch.pk}/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, org):
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path", ["/audit/no.such/1/", "/audit/branchtrack.branch/987654321/", "/audit/security.loginfailure/1/"]
)
def test_unknown_record_types_and_objects_answer_404(login, org, path):
    assert login(org.admin).get(path).status_code == 404


@pytest.mark.parametrize(
    "junk",
    [
        {"model": "nope.nothing"},
        {"action": "x"},
        {"date_from": "2020-13-45"},
        {"date_to": "yesterday"},
        {"q": "a\x00b"},
        {"q": "x" * 500},
    ],
)
def test_junk_filters_answer_400(login, org, junk):
    assert login(org.admin).get("/audit/", junk).status_code == 400


@pytest.mark.parametrize("value", ["' OR 1=1 --", "%", "_", "9" * 40, "１２３", "<script>alert(1)</script>"])
def test_odd_search_text_is_just_text(login, org, value):
    response = login(org.admin).get("/audit/", {"q": value, "page": "x"})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_the_history_link_shows_only_to_those_who_may_read_the_trail(org):
    template = Template("{% load audit %}{% history_link branch %}")
    request = RequestFactory().get("/")
    request.user = org.admin
    link = template.render(Context({"request": request, "branch": org.city_branch}))
    assert f'href="/audit/branchtrack.branch/{org.city_branch.pk}/"' in link
    request.user = org.staff
    assert "href" not in template.render(Context({"request": request, "branch": org.city_branch}))


def test_the_audit_log_query_count_does_not_grow_with_the_history(login, org):
    client = login(org.admin)
    for branch in (org.city_branch, org.county_branch, org.station_branch):
        branch.unit = org.station
        branch.save()

    def grow():
        unit = UnitFactory(parent=org.company)
        for branch in BranchFactory.create_batch(30, unit=unit):
            branch.secretary = "新书记"
            branch.save()

    assert_page_within_budget(
        app="security",
        page="audit_log",
        client=client,
        url="/audit/?model=branchtrack.branch",
        grow=grow,
    )


def test_the_object_history_query_count_does_not_grow_with_its_versions(login, org):
    client = login(org.admin)
    branch = org.city_branch
    branch.member_count = 99
    branch.save()

    def grow():
        for number in range(20):
            branch.member_count = number
            branch.unit = org.county if number % 2 else org.city
            branch.save()

    assert_page_within_budget(
        app="security",
        page="object_history",
        client=client,
        url=f"/audit/branchtrack.branch/{branch.pk}/",
        grow=grow,
    )


def test_the_trail_names_fields_in_words_and_hides_storage_paths_and_counters(login, org):
    # A moved unit showed "path", a re-saved record "version", a photo its random storage path.
    from supervision.models import VisitPhoto

    unit = UnitFactory(parent=org.city, name="新供电所")
    unit.path, unit.numchild = unit.path[:-4] + "ZZZZ", 1  # what a move and a new child change
    unit.save()
    history = login(org.admin).get(f"/audit/branchtrack.unit/{unit.pk}/").content.decode()
    assert "在组织树中的位置" in history
    assert "<strong>path</strong>" not in history and "<strong>depth</strong>" not in history
    audited = next(a for a in audited_models() if a.model is VisitPhoto)
    assert "file" in {f.name for f in audited.tracked_fields()}
    assert not {"version", "idempotency_key"} & {f.name for a in audited_models() for f in a.tracked_fields()}


def test_sort_menus_and_audit_actions_are_translated(login, org):
    page = login(org.admin).get("/projects/").content.decode()
    assert "（降序）" in page and "(descending)" not in page
    log = login(org.admin).get("/audit/").content.decode()
    assert ">新建<" in log or "新建" in log
