"""Detail pages link to the object's change history, for those who may read the audit trail."""

import pytest

from tests.responses import shown
from tests.security.world import build_world


@pytest.fixture
def world(org):
    return build_world(org)


def detail_pages(world):
    return {
        "visit": (f"/supervision/visits/{world.county_visit.pk}/", world.county_visit),
        "problem": (f"/supervision/problems/{world.county_problem.pk}/", world.county_problem),
        "project": (f"/projects/{world.county_project.pk}/", world.county_project),
        "pairing": (f"/pairings/{world.county_pairing.pk}/", world.county_pairing),
    }


@pytest.mark.parametrize("kind", ["visit", "problem", "project", "pairing"])
def test_an_administrator_finds_the_change_history_on_each_detail_page(login, world, kind):
    url, obj = detail_pages(world)[kind]
    page = login(world.admin).get(url)
    assert page.status_code == 200, url
    link = f"/audit/{obj._meta.app_label}.{obj._meta.model_name}/{obj.pk}/"
    assert f'href="{link}"' in page.content.decode()
    assert login(world.admin).get(link).status_code == 200


def test_staff_see_the_page_but_no_history_link(login, world):
    url, _obj = detail_pages(world)["visit"]
    page = login(world.unit_staff).get(url)
    assert page.status_code == 200
    assert 'data-testid="history-link"' not in page.content.decode()


def test_a_record_saved_without_a_trail_shows_an_empty_history_not_a_404(login, world):
    pairing = world.county_pairing
    type(pairing).history.filter(id=pairing.pk).delete()
    page = login(world.admin).get(f"/audit/pairings.pairing/{pairing.pk}/")
    assert page.status_code == 200
    assert shown("No change of this record has been recorded.") in page.content.decode()


def test_the_history_of_a_record_that_never_existed_is_a_404(login, world):
    assert login(world.admin).get("/audit/pairings.pairing/987654/").status_code == 404
    assert login(world.admin).get("/audit/nothing.here/1/").status_code == 404
