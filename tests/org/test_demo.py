from io import StringIO

from django.core.management import call_command

from org.models import Branch, Role, Unit, User


def test_load_demo_builds_the_reference_organisation_and_is_idempotent(demo):
    assert Branch.objects.count() == 305
    assert Unit.objects.get_root_nodes().count() == 1
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    out = StringIO()
    call_command("load_demo", stdout=out)  # again
    assert Branch.objects.count() == 305
    assert "Demo@2020" in out.getvalue()
