from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(name="branchtrack.health_check")
def health_check() -> str:
    """Proves a worker takes jobs from the broker; the time lets an operator see when it last ran."""
    cache.set("branchtrack:health_check", timezone.now().isoformat(), timeout=None)
    return "ok"
