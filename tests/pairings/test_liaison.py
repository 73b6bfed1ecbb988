"""Village liaison groups: per branch, villages counted once company-wide, cadres summed, scoped."""

from pairings.models import LiaisonGroup, Village
from tests.pairings.factories import LiaisonGroupFactory, VillageFactory

FORM = {
    "name": "城区党员联系乡村群",
    "channel": "wechat_loudspeaker",
    "start_date": "2020-03-01",
    "village_lines": "城关镇 王家村\n城关镇 李家庄村\n\n河口村",
    "cadre_count": "5",
    "cadre_names": "张三、李四\n王五",
}


def test_a_secretary_records_their_branchs_liaison_group_and_villages_are_shared(login, org):
    VillageFactory(name="王家村", township="城关镇")
    client = login(org.secretary)
    response = client.post("/pairings/liaison/new/", {**FORM, "branch": org.city_branch.pk})
    assert response.status_code == 302
    group = LiaisonGroup.objects.get()
    assert group.branch == org.city_branch and group.cadre_name_list == ["张三", "李四", "王五"]
    assert sorted(str(v) for v in group.villages.all()) == ["城关镇李家庄村", "城关镇王家村", "河口村"]
    assert Village.objects.count() == 3  # the existing 王家村 was reused
    page = client.get("/pairings/liaison/").content.decode()
    assert 'data-testid="village-count">3<' in page and 'data-testid="cadre-count">5<' in page


def test_a_secretary_cannot_record_for_another_branch_nor_edit_its_groups(login, org):
    client = login(org.secretary)
    response = client.post("/pairings/liaison/new/", {**FORM, "branch": org.county_branch.pk})
    assert response.status_code == 400 and not LiaisonGroup.objects.exists()
    foreign = LiaisonGroupFactory(branch=org.county_branch)
    assert client.get(f"/pairings/liaison/{foreign.pk}/edit/").status_code == 404


def test_more_names_than_the_cadre_count_is_an_error_next_to_the_names(login, org):
    response = login(org.staff).post(
        "/pairings/liaison/new/", {**FORM, "branch": org.city_branch.pk, "cadre_count": "2"}
    )
    assert response.status_code == 400
    assert 'id="id_cadre_names_error"' in response.content.decode()
    assert not LiaisonGroup.objects.exists()


def test_liaison_totals_count_a_village_once_and_respect_scope(login, org):
    shared = VillageFactory()
    LiaisonGroupFactory(branch=org.station_branch, villages=[shared, VillageFactory()], cadre_count=4)
    LiaisonGroupFactory(branch=org.county_branch, villages=[shared], cadre_count=3)
    LiaisonGroupFactory(branch=org.city_branch, villages=[VillageFactory()], cadre_count=10)
    totals = LiaisonGroup.objects.totals()
    assert (totals["villages"], totals["cadres"], totals["groups"], totals["branches"]) == (3, 17, 3, 3)
    page = login(org.unit_staff).get("/pairings/liaison/").content.decode()
    assert 'data-testid="village-count">2<' in page and 'data-testid="cadre-count">7<' in page
