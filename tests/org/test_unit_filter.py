"""The unit filter of the list pages: the whole scope while it is small, the chosen unit's tree past that."""

import pytest
from django.urls import reverse

from org import unit_filter
from org.models import Unit
from org.unit_filter import offered_units
from tests.factories import UnitFactory


def names(units):
    return [unit.name for unit in units]


@pytest.fixture
def big_scope(org, monkeypatch):
    """The test org plus two cities of three counties each, offered as a large scope would be."""
    monkeypatch.setattr(unit_filter, "OFFER_ALL_UP_TO", 3)
    cities = {}
    for city_name in ("甲市", "乙市"):
        city = UnitFactory(parent=org.company, name=city_name, kind=Unit.Kind.CITY)
        cities[city_name] = [UnitFactory(parent=city, name=f"{city_name}{n}县") for n in range(1, 4)]
    return cities


def test_a_small_scope_is_offered_whole(org):
    assert names(offered_units(Unit.objects.all(), None)) == ["测试公司", "城区公司", "县公司", "供电所"]


def test_a_large_scope_opens_one_level_below_its_top(org, big_scope):
    assert names(offered_units(Unit.objects.all(), None)) == [
        "测试公司",
        "城区公司",
        "县公司",
        "甲市",
        "乙市",
    ]


def test_choosing_a_unit_opens_the_tree_down_to_its_children(org, big_scope):
    county = Unit.objects.get(name="甲市2县")
    city = Unit.objects.get(name="甲市")
    # Siblings at each level stay offered, so the user can move sideways as well as down.
    assert names(offered_units(Unit.objects.all(), str(city.pk))) == [
        "测试公司",
        "城区公司",
        "县公司",
        "甲市",
        "甲市1县",
        "甲市2县",
        "甲市3县",
        "乙市",
    ]
    assert names(offered_units(Unit.objects.all(), str(county.pk))) == names(
        offered_units(Unit.objects.all(), str(city.pk))
    )


def test_a_unit_scope_opens_from_its_own_top(org, big_scope):
    scope = Unit.objects.visible_to(org.unit_admin)  # the county and its station
    assert names(offered_units(scope, None)) == ["县公司", "供电所"]


def test_the_branch_list_offers_the_neighbourhood_and_accepts_any_unit_in_scope(
    client, login, org, big_scope
):
    login(org.admin)
    deep = Unit.objects.get(name="乙市3县")
    page = client.get(reverse("branch_list"))
    assert page.status_code == 200
    assert "甲市" in page.text and "乙市3县" not in page.text
    chosen = client.get(reverse("branch_list"), {"unit": deep.pk})
    assert chosen.status_code == 200
    assert f'<option value="{deep.pk}" selected>' in chosen.text
    assert "乙市1县" in chosen.text and "甲市1县" not in chosen.text


def test_a_unit_outside_the_scope_is_refused(client, login, org):
    login(org.unit_admin)
    response = client.get(reverse("branch_list"), {"unit": org.city.pk})
    assert response.status_code == 400


def test_a_unit_id_in_other_digits_is_refused_not_a_crash(client, login, org):
    login(org.admin)
    assert client.get(reverse("branch_list"), {"unit": "²"}).status_code == 400
