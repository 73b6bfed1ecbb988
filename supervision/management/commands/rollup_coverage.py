import datetime

from django.core.management.base import BaseCommand, CommandError

from supervision import rollup
from supervision.models import Campaign


class Command(BaseCommand):
    help = "Compute coverage snapshots now (the nightly Celery beat job does the same for every campaign)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="only this campaign (id); default: every campaign")
        parser.add_argument("--day", type=datetime.date.fromisoformat, help="snapshot day, YYYY-MM-DD")

    def handle(self, *args, campaign=None, day=None, **options):
        campaigns = Campaign.objects.all()
        if campaign is not None:
            campaigns = campaigns.filter(pk=campaign)
            if not campaigns.exists():
                raise CommandError(f"No campaign with id {campaign}.")
        for item in campaigns:
            snapshot_day = day or rollup.snapshot_day(item)
            rows = rollup.rollup_coverage(campaign=item, day=snapshot_day)
            total = item.snapshots.get(unit__isnull=True, day=snapshot_day)
            self.stdout.write(
                f"{item} ({snapshot_day}): {total.visited_branches}/{total.active_branches} branches visited"
                f" = {total.coverage_percent}%, {rows} snapshot rows"
            )
