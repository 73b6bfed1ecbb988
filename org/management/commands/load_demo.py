import logging
from contextlib import contextmanager

from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils import translation

from branchtrack.web.discovery import app_modules
from org import demo


class Command(BaseCommand):
    help = "Load the reference scenario (305 branches, 2020 campaign, projects, pairings). Idempotent."

    def handle(self, *args, **options):
        with translation.override("zh-hans"), _quiet():
            # Each app's demo.py, in INSTALLED_APPS order: an app's demo builds on those before it.
            for module in app_modules("demo"):
                module.load(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded. Logins (password for all: %s):" % demo.DEMO_PASSWORD)
        )
        for username, _password, what in demo.logins():
            self.stdout.write(f"  {username:<10} {what}")


# Loggers whose lines the demo holds back: the in-process tasks' traces, the broker fallback, and the
# deliveries to the demo's robots, which point at a closed port on purpose (their failures show in the app).
QUIET_LOGGERS = {
    "celery.app.trace": logging.WARNING,
    "kombu.connection": logging.ERROR,
    "notifications.services": logging.ERROR,
}


@contextmanager
def _quiet():
    """The demo's own events (lists published, exports ready) are real notices, but their emails are kept
    in memory and the in-process tasks' log lines held back: `make demo`'s first screen is the logins."""
    loggers = {name: logging.getLogger(name) for name in QUIET_LOGGERS}
    levels = {name: logger.level for name, logger in loggers.items()}
    for name, logger in loggers.items():
        logger.setLevel(QUIET_LOGGERS[name])
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield
    finally:
        for name, logger in loggers.items():
            logger.setLevel(levels[name])
