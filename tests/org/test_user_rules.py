"""User.clean: every user belongs somewhere their role makes sense (the admin form and imports call it)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from org.models import Role, User


def problems(user: User) -> dict[str, list[str]]:
    with translation.override("en"):
        try:
            user.clean()
        except ValidationError as exc:
            return exc.message_dict
    return {}


@pytest.mark.django_db
def test_each_role_needs_what_it_works_with(org):
    assert problems(User(username="x", role=Role.STAFF)) == {"unit": ["Every user belongs to a unit."]}
    assert problems(User(username="x", role=Role.REVIEWER, unit=org.city)) == {
        "department": ["A reviewer rates for a department; choose one."]
    }
    assert problems(User(username="x", role=Role.SECRETARY, unit=org.city)) == {
        "branch": ["A branch secretary needs their branch."]
    }
    assert problems(User(username="x", role=Role.SECRETARY, unit=org.county, branch=org.city_branch)) == {
        "branch": ["The branch must belong to the user's unit."]
    }
    # Every problem at once, so the form shows them all in one go.
    assert set(problems(User(username="x", role=Role.REVIEWER))) == {"unit", "department"}


@pytest.mark.django_db
def test_valid_users_pass_and_a_secretarys_unit_follows_the_branch(org):
    assert problems(User(username="x", role=Role.STAFF, unit=org.county)) == {}
    assert problems(User(username="x", role=Role.REVIEWER, unit=org.city, department=org.department)) == {}
    assert problems(User(username="root", role=Role.STAFF, is_superuser=True)) == {}  # no unit needed
    secretary = User(username="sec", role=Role.SECRETARY, branch=org.station_branch)
    assert problems(secretary) == {}  # the unit comes from the branch
    secretary.save()
    assert secretary.unit == org.station
