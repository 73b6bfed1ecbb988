"""Redis down: logging and completing a visit still saves and the user sees no error; the nightly
roll-up catches the dashboard up afterwards.

The Celery broker and the cache point at a port where nothing listens (a real refused connection,
not a mock), with eager mode off, so the enqueue really tries to reach the broker.
"""

import logging
import time

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext

from branchtrack.celery import app as celery_app
from supervision.models import CoverageSnapshot, Visit
from supervision.tasks import rollup_all_campaigns
from tests.security.forms import visit_post_data
from tests.supervision.factories import CampaignFactory

REFUSING = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REFUSING,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    cache.close()
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    # Celery caches its connection and producer pools: set the working ones aside (closing them would
    # break every later test) so the refusing broker URL gets pools of its own.
    pools = celery_app._pool, celery_app.amqp._producer_pool
    celery_app._pool = celery_app.amqp._producer_pool = None
    celery_app.conf.broker_url = REFUSING
    celery_app.conf.task_always_eager = False
    yield
    # The refusing broker's pool is dropped, not closed: kombu keeps pools in a global registry keyed by
    # the URL, and a closed one there made a later test using the same refusing URL fail with
    # "Acquire on closed pool" instead of the refused connection it is about.
    celery_app._pool, celery_app.amqp._producer_pool = pools
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous


def test_a_visit_is_logged_and_completed_with_redis_down_and_the_nightly_job_catches_up(
    client, org, redis_down, caplog, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(scope=[org.company])
    client.force_login(org.unit_staff)
    form_page = client.get(f"/supervision/campaigns/{campaign.pk}/visits/new/")
    assert form_page.status_code == 200

    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(
            f"/supervision/campaigns/{campaign.pk}/visits/new/",
            visit_post_data(campaign, branch=org.county_branch),
            follow=True,
        )
    elapsed = time.monotonic() - started

    # The user sees the saved visit and a success message, nothing about Redis.
    assert response.status_code == 200
    page = response.content.decode()
    with translation.override("zh-hans"):
        assert gettext("Visit completed.") in page
    assert 'class="message error"' not in page
    assert "Redis" not in page and "broker" not in page.lower()
    visit = Visit.objects.get(branch=org.county_branch, campaign=campaign)
    assert visit.is_completed and visit.scores.count() == 9
    # The enqueue really ran (after the commit), really failed, was logged, and did not hang the request.
    assert len(callbacks) >= 1
    assert "nightly run catches up" in caplog.text
    assert elapsed < 20, f"the save took {elapsed:.1f}s with the broker down"

    # Nothing rolled the visit up yet: the dashboard figures lag behind.
    assert not CoverageSnapshot.objects.filter(campaign=campaign, visited_branches__gt=0).exists()
    assert (
        'data-testid="coverage-count">1/'
        not in client.get(f"/supervision/campaigns/{campaign.pk}/").content.decode()
    )

    # Redis is back; the nightly beat job runs and the dashboard catches up.
    celery_app.conf.task_always_eager = True
    rollup_all_campaigns.delay()
    company = CoverageSnapshot.objects.get(campaign=campaign, unit=None)
    assert (company.visited_branches, company.active_branches) == (1, 3)
    dashboard = client.get(f"/supervision/campaigns/{campaign.pk}/")
    assert dashboard.status_code == 200
    # The county staff member's own scope: the county branch (visited) and the station's.
    assert 'data-testid="coverage-count">1/2<' in dashboard.content.decode()
