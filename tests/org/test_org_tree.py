from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import Branch, Unit
from tests.factories import BranchFactory, UnitFactory


def test_a_subtree_is_one_prefix_query(org):
    with CaptureQueriesContext(connection) as captured:
        codes = sorted(Unit.objects.subtree_of(org.county).values_list("code", flat=True))
    assert codes == ["C-CTY", "C-CTY-S"]
    assert len(captured) == 1
    assert "LIKE" in captured[0]["sql"].upper()


def test_branches_of_a_unit_include_its_sub_units(org):
    codes = set(Branch.objects.in_subtree(org.county).values_list("code", flat=True))
    assert codes == {"B-CTY", "B-STN"}
    assert set(Branch.objects.in_subtree(org.company).values_list("code", flat=True)) == {
        "B-CITY",
        "B-CTY",
        "B-STN",
    }


def test_siblings_with_a_common_code_prefix_are_not_in_each_others_subtree(org):
    # Paths, not codes, decide the subtree: many siblings make path prefixes look alike.
    siblings = [UnitFactory(parent=org.company) for _ in range(12)]
    BranchFactory(unit=siblings[-1])
    assert Branch.objects.in_subtree(siblings[0]).count() == 0


def test_company_staff_see_every_branch_and_unit_staff_only_their_subtree(org):
    assert Branch.objects.visible_to(org.staff).count() == 3
    assert set(Branch.objects.visible_to(org.unit_staff).values_list("code", flat=True)) == {"B-CTY", "B-STN"}
    assert set(Unit.objects.visible_to(org.unit_admin).values_list("code", flat=True)) == {"C-CTY", "C-CTY-S"}


def test_a_secretary_sees_only_their_branch_and_a_reviewer_no_branch_list(org):
    assert list(Branch.objects.visible_to(org.secretary).values_list("code", flat=True)) == ["B-CITY"]
    assert Branch.objects.visible_to(org.reviewer).count() == 0


def test_a_secretary_takes_the_unit_of_their_branch(org):
    from tests.factories import UserFactory

    user = UserFactory(role="secretary", unit=None, branch=org.station_branch)
    user.refresh_from_db()
    assert user.unit == org.station
