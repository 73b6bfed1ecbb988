"""The pairings list, the pairing page and the summary: counting, filters, dormancy, scope, export."""

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from org.models import Role
from pairings import services
from pairings.models import ExternalOrg, Pairing, PairingRules, Theme
from pairings.selectors import pairing_summary
from tests.factories import BranchFactory, UserFactory
from tests.pairings.factories import (
    ActivityFactory,
    ExternalOrgFactory,
    LiaisonGroupFactory,
    PairingFactory,
    VillageFactory,
)


def _theme(name):
    return Theme.objects.get(name=name)


def _rows(response):
    return response.content.decode().count('data-testid="pairing-row"')


def test_distinct_organisations_are_counted_on_each_side_including_unit_committees(org):
    shared_external = ExternalOrgFactory()
    PairingFactory(branch=org.city_branch, external_org=shared_external)
    PairingFactory(branch=org.city_branch)  # the same branch with a second external one
    PairingFactory(branch=None, unit=org.county, external_org=shared_external)  # a committee, same external
    PairingFactory(branch=org.station_branch)
    counts = Pairing.objects.distinct_counts()
    assert (counts["ours"], counts["branches"], counts["units"]) == (3, 2, 1)
    assert (counts["external"], counts["pairings"]) == (3, 4)


def test_a_pairing_has_exactly_one_of_ours(org):
    from django.core.exceptions import ValidationError

    both = Pairing(
        branch=org.city_branch,
        unit=org.city,
        external_org=ExternalOrgFactory(),
        start_date=datetime.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError):
        both.full_clean()
    neither = Pairing(external_org=ExternalOrgFactory(), start_date=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        neither.full_clean()


def test_the_summary_page_shows_scoped_counts_themes_and_liaison_totals(login, org):
    projects = _theme("重点项目联建共促")
    one = PairingFactory(branch=org.city_branch, themes=[projects])
    PairingFactory(branch=org.station_branch, themes=[projects, _theme("脱贫攻坚联帮共助")])
    ActivityFactory(pairing=one, date=datetime.date(2020, 5, 16))
    ActivityFactory(pairing=one, date=datetime.date(2020, 5, 20))
    village = VillageFactory()
    LiaisonGroupFactory(branch=org.station_branch, villages=[village, VillageFactory()], cadre_count=4)
    LiaisonGroupFactory(branch=org.county_branch, villages=[village], cadre_count=2)
    LiaisonGroupFactory(branch=org.city_branch, villages=[VillageFactory()], cadre_count=7)

    page = login(org.staff).get("/pairings/summary/").content.decode()
    assert 'data-testid="ours-count">2<' in page and 'data-testid="external-count">2<' in page
    assert 'data-testid="village-count">3<' in page and 'data-testid="cadre-count">13<' in page
    assert 'id="pairing-chart-data"' in page and "chart.umd.min.js" in page and "js/pairings.js" in page

    unit_page = login(org.unit_staff).get("/pairings/summary/").content.decode()
    assert 'data-testid="ours-count">1<' in unit_page
    assert 'data-testid="village-count">2<' in unit_page and 'data-testid="cadre-count">6<' in unit_page


def test_summary_figures_per_theme_and_month(org):
    projects, poverty = _theme("重点项目联建共促"), _theme("脱贫攻坚联帮共助")
    both = PairingFactory(branch=org.city_branch, themes=[projects, poverty])
    ActivityFactory(pairing=both, date=datetime.date(2020, 5, 16))
    ActivityFactory(pairing=both, date=datetime.date(2020, 11, 2))
    ActivityFactory(pairing=both, date=datetime.date(2019, 11, 2))  # another year
    summary = pairing_summary(
        user=org.staff, year=2020, today=datetime.date(2020, 12, 31), rules=PairingRules()
    )
    assert summary.months[4] == 1 and summary.months[10] == 1 and summary.activities_in_year == 2
    by_name = {row["name"]: row for row in summary.themes}
    assert by_name["重点项目联建共促"] == {"name": "重点项目联建共促", "pairings": 1, "activities": 2}
    assert by_name["疫情防控联抓共管"]["activities"] == 0
    assert summary.theme_months["脱贫攻坚联帮共助"][10] == 1
    assert len(summary.chart_data()["themes"]) == 5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"theme": "THEME"}, {"project"}),
        ({"kind": ExternalOrg.Kind.VILLAGE}, {"village"}),
        ({"status": Pairing.Status.ENDED}, {"ended"}),
        ({"ours": "unit"}, {"committee"}),
        ({"q": "轨道交通"}, {"project"}),
    ],
)
def test_the_pairings_list_filters(login, org, params, expected):
    theme = _theme("重点项目联建共促")
    names = {
        "project": PairingFactory(
            branch=org.city_branch,
            themes=[theme],
            external_org=ExternalOrgFactory(name="轨道交通项目部党支部"),
        ),
        "village": PairingFactory(
            branch=org.station_branch, external_org=ExternalOrgFactory(kind=ExternalOrg.Kind.VILLAGE)
        ),
        "ended": PairingFactory(branch=org.county_branch, status=Pairing.Status.ENDED),
        "committee": PairingFactory(branch=None, unit=org.county),
    }
    if params.get("theme") == "THEME":
        params = {"theme": theme.pk}
    response = login(org.staff).get("/pairings/", params)
    assert response.status_code == 200
    page = response.content.decode()
    shown = {key for key, pairing in names.items() if f'href="/pairings/{pairing.pk}/"' in page}
    assert shown == expected


def test_the_unit_filter_includes_sub_units_and_committees(login, org):
    station = PairingFactory(branch=org.station_branch)
    committee = PairingFactory(branch=None, unit=org.county)
    city = PairingFactory(branch=org.city_branch)
    page = login(org.staff).get("/pairings/", {"unit": org.county.pk}).content.decode()
    assert f'"/pairings/{station.pk}/"' in page and f'"/pairings/{committee.pk}/"' in page
    assert f'"/pairings/{city.pk}/"' not in page


def test_the_activity_this_year_filter(login, org):
    this_year = timezone.localdate().year
    busy = PairingFactory(branch=org.city_branch)
    ActivityFactory(pairing=busy, date=datetime.date(this_year, 1, 1))
    quiet = PairingFactory(branch=org.county_branch)
    ActivityFactory(pairing=quiet, date=datetime.date(this_year - 1, 6, 1))
    client = login(org.staff)
    with_page = client.get("/pairings/", {"activity_this_year": "yes"}).content.decode()
    without_page = client.get("/pairings/", {"activity_this_year": "no"}).content.decode()
    assert f'"/pairings/{busy.pk}/"' in with_page and f'"/pairings/{quiet.pk}/"' not in with_page
    assert f'"/pairings/{quiet.pk}/"' in without_page and f'"/pairings/{busy.pk}/"' not in without_page


def test_dormancy_follows_the_configured_number_of_days(login, org):
    today = timezone.localdate()
    old = datetime.date(2000, 1, 1)
    quiet = PairingFactory(branch=org.city_branch, start_date=old)
    ActivityFactory(pairing=quiet, date=today - datetime.timedelta(days=100))
    lively = PairingFactory(branch=org.county_branch, start_date=old)
    ActivityFactory(pairing=lively, date=today - datetime.timedelta(days=10))
    never = PairingFactory(branch=org.station_branch, start_date=old)
    ended = PairingFactory(branch=org.station_branch, start_date=old, status=Pairing.Status.ENDED)
    new = PairingFactory(branch=org.city_branch, start_date=today)
    client = login(org.staff)

    def dormant_ids():
        page = client.get("/pairings/", {"dormant": "yes"}).content.decode()
        return {p.pk for p in (quiet, lively, never, ended, new) if f'"/pairings/{p.pk}/"' in page}

    assert PairingRules.current().dormant_after_days == 90
    assert dormant_ids() == {quiet.pk, never.pk}
    assert 'data-testid="dormant"' in client.get(f"/pairings/{quiet.pk}/").content.decode()
    assert 'data-testid="dormant"' not in client.get(f"/pairings/{lively.pk}/").content.decode()
    rules = PairingRules.current()
    rules.dormant_after_days = 120
    rules.save()
    assert dormant_ids() == {never.pk}


def test_staff_see_their_unit_subtree_and_secretaries_their_branch(login, org):
    city = PairingFactory(branch=org.city_branch)
    station = PairingFactory(branch=org.station_branch)
    committee = PairingFactory(branch=None, unit=org.county)
    elsewhere = PairingFactory(branch=BranchFactory(unit=org.city))
    unit_page = login(org.unit_staff).get("/pairings/").content.decode()
    assert {p.pk for p in (city, station, committee, elsewhere) if f'"/pairings/{p.pk}/"' in unit_page} == {
        station.pk,
        committee.pk,
    }
    secretary = login(org.secretary)
    assert _rows(secretary.get("/pairings/")) == 1
    assert secretary.get(f"/pairings/{elsewhere.pk}/").status_code == 404
    assert login(org.unit_staff).get(f"/pairings/{city.pk}/").status_code == 404
    assert login(org.reviewer).get("/pairings/").status_code == 403
    assert login(org.secretary).get("/pairings/summary/").status_code == 403


@pytest.mark.parametrize(
    "junk", [{"theme": "abc"}, {"unit": "99999999"}, {"status": "maybe"}, {"dormant": "x"}, {"page": "x"}]
)
def test_junk_filter_values_never_break_the_lists(login, org, junk):
    client = login(org.staff)
    assert client.get("/pairings/", junk).status_code in (200, 400)
    assert client.get("/pairings/activities/", junk).status_code in (200, 400)


def test_unit_staff_cannot_filter_into_another_unit(login, org):
    PairingFactory(branch=org.city_branch, external_org=ExternalOrgFactory(name="城区的客户"))
    response = login(org.unit_staff).get("/pairings/", {"unit": org.city.pk})
    assert response.status_code == 400 and "城区的客户" not in response.content.decode()


def test_the_lists_export_exactly_the_filtered_rows(login, org):
    from openpyxl import load_workbook

    village = PairingFactory(
        branch=org.station_branch,
        external_org=ExternalOrgFactory(code="V1", name="某村党支部", kind=ExternalOrg.Kind.VILLAGE),
    )
    PairingFactory(branch=org.city_branch)
    ActivityFactory(pairing=village, title="农网改造走访")
    ActivityFactory(title="别的活动")
    client = login(org.staff)
    csv_text = b"".join(
        client.get("/pairings/", {"kind": "village", "export": "csv"}).streaming_content
    ).decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert len(lines) == 2 and "某村党支部" in lines[1] and "供电所党支部" in lines[1]
    response = client.get("/pairings/activities/", {"kind": "village", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "农网改造走访"


def test_staff_create_a_pairing_with_a_unit_committee_and_cannot_pick_both(login, org):
    external = ExternalOrgFactory()
    theme = _theme("党建活动联抓共融")
    client = login(org.unit_staff)
    data = {"external_org": external.pk, "themes": [theme.pk], "start_date": "2020-03-01", "status": "active"}
    both = client.post("/pairings/new/", {**data, "branch": org.county_branch.pk, "unit": org.county.pk})
    assert both.status_code == 400 and not Pairing.objects.exists()
    foreign = client.post("/pairings/new/", {**data, "branch": org.city_branch.pk})
    assert foreign.status_code == 400 and not Pairing.objects.exists()
    response = client.post("/pairings/new/", {**data, "unit": org.county.pk})
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.unit == org.county and pairing.branch is None and list(pairing.themes.all()) == [theme]
    assert login(org.secretary).get("/pairings/new/").status_code == 403


def test_updating_a_pairing_changes_its_dates_status_and_themes_and_refuses_an_end_before_the_start(org):
    pairing = PairingFactory(branch=org.city_branch)
    theme = Theme.objects.create(name="测试主题")
    updated = services.update_pairing(
        pairing=pairing,
        themes=[theme],
        start_date=datetime.date(2020, 2, 1),
        end_date=datetime.date(2020, 12, 31),
        status=Pairing.Status.ENDED,
        agreement="共建协议",
    )
    updated.refresh_from_db()
    assert (updated.start_date, updated.end_date, updated.status, updated.agreement) == (
        datetime.date(2020, 2, 1),
        datetime.date(2020, 12, 31),
        Pairing.Status.ENDED,
        "共建协议",
    )
    assert list(updated.themes.all()) == [theme]
    with pytest.raises(ValidationError) as refused:
        services.update_pairing(
            pairing=updated,
            themes=[],
            start_date=datetime.date(2020, 6, 1),
            end_date=datetime.date(2020, 5, 1),
            status=Pairing.Status.ACTIVE,
            agreement="",
        )
    assert "pairing_ends_after_start" not in str(refused.value)  # the message, not the constraint's name
    updated.refresh_from_db()
    assert (updated.start_date, list(updated.themes.all())) == (datetime.date(2020, 2, 1), [theme])


def test_the_summary_lists_a_retired_theme_only_while_pairings_still_carry_it(login, org):
    Theme.objects.create(name="已停用无共建", active=False)
    carried = Theme.objects.create(name="已停用有共建", active=False)
    PairingFactory(branch=org.city_branch).themes.set([carried])
    page = login(org.admin).get("/pairings/summary/").content.decode()
    rows = re.findall(r'<tr data-testid="theme-row"><td>([^<]+)</td><td class="num">(\d+)</td>', page)
    assert ("已停用有共建", "1") in rows
    assert "已停用无共建" not in page


def test_a_secretary_without_a_branch_sees_no_pairing(login, org):
    PairingFactory(branch=org.city_branch)
    lost = UserFactory(username="t-nobranch", role=Role.SECRETARY, unit=org.city, branch=None)
    page = login(lost).get("/pairings/")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 0
