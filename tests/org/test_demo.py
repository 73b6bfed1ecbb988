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


def test_the_demo_loads_quietly_its_emails_kept_in_memory_and_task_traces_held_back(settings, capsys):
    # `make demo`'s first screen is the logins: the notices the demo's own events send (a list published,
    # an export ready) must not print whole emails and task traces above them.
    import logging

    from django.core import mail

    from org.management.commands.load_demo import _quiet

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    with _quiet():
        mail.send_mail("名单已发布", "正文", "branchtrack@localhost", ["admin@example.com"])
        assert not logging.getLogger("celery.app.trace").isEnabledFor(logging.INFO)
        assert not logging.getLogger("notifications.services").isEnabledFor(logging.WARNING)
    assert capsys.readouterr().out == ""
    assert [message.subject for message in mail.outbox] == ["名单已发布"]
    assert logging.getLogger("celery.app.trace").isEnabledFor(logging.INFO)  # as it was after the demo
