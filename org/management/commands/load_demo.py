from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import translation

from org import demo


class Command(BaseCommand):
    help = "Load the reference scenario (305 branches, 2020 campaign, projects, pairings). Idempotent."

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            for config in apps.get_app_configs():
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.load(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded. Logins (password for all: %s):" % demo.DEMO_PASSWORD)
        )
        for username, _password, what in demo.logins():
            self.stdout.write(f"  {username:<10} {what}")
