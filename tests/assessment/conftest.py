import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Export files land in a throw-away MEDIA_ROOT, never in the working tree.
    settings.MEDIA_ROOT = tmp_path / "media"


REFUSING = "redis://127.0.0.1:1/0"  # nothing listens there: a real refused connection


def _reset_broker_connections(app):
    # Celery caches its connection and producer pools; drop them so the broker URL in force is used.
    # Not closed: they live in kombu's global registry, and a closed one there breaks every later test
    # that publishes to the same broker ("Acquire on closed pool").
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    from branchtrack.celery import app

    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = REFUSING, False
    _reset_broker_connections(app)
    yield
    app.conf.broker_url, app.conf.task_always_eager = previous
    _reset_broker_connections(app)
