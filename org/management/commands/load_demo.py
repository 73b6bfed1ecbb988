from django.core.management.base import BaseCommand
from django.utils import translation

from branchtrack.web.discovery import app_modules
from org import demo


class Command(BaseCommand):
    help = "Load the reference scenario (305 branches, 2020 campaign, projects, pairings). Idempotent."

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            # Each app's demo.py, in INSTALLED_APPS order: an app's demo builds on those before it.
            for module in app_modules("demo"):
                module.load(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded. Logins (password for all: %s):" % demo.DEMO_PASSWORD)
        )
        for username, _password, what in demo.logins():
            self.stdout.write(f"  {username:<10} {what}")
