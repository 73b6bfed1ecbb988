"""Request ids in the logs (JSON when LOG_FORMAT=json) and the Prometheus metrics behind /metrics."""

import json
import logging
import sys
import time

import pytest

from operations import task_context
from operations.json_logs import JsonFormatter, RequestIdFilter
from operations.metrics import celery_queue_stats
from operations.request_id import current_request_id
from supervision.rollup import rollup_coverage
from tests.supervision.factories import CampaignFactory


def test_every_response_carries_a_request_id_and_a_proxy_id_is_kept(client):
    fresh = client.get("/healthz")  # answered before the id middleware: probes stay cheap
    assert "X-Request-ID" not in fresh
    page = client.get("/accounts/login/")
    assert len(page["X-Request-ID"]) == 32
    kept = client.get("/accounts/login/", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
    assert kept["X-Request-ID"] == "nginx-0123456789abcdef"
    junk = client.get("/accounts/login/", HTTP_X_REQUEST_ID='bad id"\n{}')
    assert junk["X-Request-ID"] != 'bad id"\n{}' and len(junk["X-Request-ID"]) == 32


def json_line(record: logging.LogRecord) -> dict:
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_the_access_line_is_json_with_the_request_id_view_status_and_queries(client, org, caplog):
    client.force_login(org.staff)
    with caplog.at_level(logging.INFO, logger="branchtrack.request"):
        response = client.get("/org/branches/", HTTP_X_REQUEST_ID="req-0000000001")
    [record] = [r for r in caplog.records if r.name == "branchtrack.request"]
    line = json_line(record)
    assert line["request_id"] == "req-0000000001" == response["X-Request-ID"]
    assert line["message"] == "GET /org/branches/ 200"
    assert line["view"] == "branch_list"
    assert line["status"] == 200
    assert line["user_id"] == org.staff.pk
    assert line["queries"] > 0
    assert line["level"] == "INFO" and line["logger"] == "branchtrack.request"


def test_a_log_line_outside_a_request_has_a_dash_and_an_exception_is_kept():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("now",), sys.exc_info()
        )
    line = json_line(record)
    assert line["request_id"] == "-"
    assert line["message"] == "failed now"
    assert "ValueError: broken" in line["exception"]


def test_a_queued_task_carries_the_request_id_and_the_worker_logs_under_it():
    token = current_request_id.set("req-from-the-web")
    headers = {}
    try:
        task_context.add_request_id_and_time(headers=headers)
    finally:
        current_request_id.reset(token)
    assert headers["request_id"] == "req-from-the-web"
    assert abs(headers["published_at"] - time.time()) < 5

    class Request:  # what the worker builds from the message headers
        request_id = "req-from-the-web"
        is_eager = False

    class Task:
        request = Request()

    task_context.adopt_request_id(task=Task)
    assert current_request_id.get() == "req-from-the-web"
    task_context.forget_request_id(task=Task)
    assert current_request_id.get() == "-"


def test_metrics_answer_the_loopback_only_without_a_token(client, settings, db):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    # Through nginx every client is 127.0.0.1 to gunicorn: the proxy's header gives it away.
    refused = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert refused.status_code == 403
    assert "只回答本机或带令牌的请求" in refused.content.decode()


def test_metrics_with_a_token_want_exactly_that_bearer(client, settings, db):
    settings.METRICS_TOKEN = "t0ken-for-prometheus"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer t0ken-for-prometheus")
    assert ok.status_code == 200


def metric(text: str, prefix: str) -> float:
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix)]
    assert values, f"{prefix} not in the metrics"
    return sum(values)


@pytest.mark.django_db
def test_metrics_count_requests_and_their_queries_and_show_each_campaigns_rollup_age(client, org):
    campaign = CampaignFactory(scope=[org.company])
    rollup_coverage(campaign=campaign, day=campaign.starts_on)
    before = client.get("/metrics").content.decode()
    client.force_login(org.staff)
    client.get("/org/branches/")
    client.get("/org/branches/")
    after = client.get("/metrics").content.decode()
    label = 'branchtrack_http_requests_total{method="GET",status="200",view="branch_list"}'
    assert metric(after, label) - (metric(before, label) if label in before else 0) == 2
    assert metric(after, 'branchtrack_db_queries_total{view="branch_list"}') > 0
    assert 'branchtrack_http_request_duration_seconds_bucket{le="0.01",view="branch_list"}' in after
    age = metric(after, f'branchtrack_rollup_age_seconds{{campaign="{campaign.pk}"}}')
    assert 0 <= age < 60


@pytest.mark.django_db
def test_queue_length_and_the_oldest_tasks_age_come_from_redis(settings):
    redis = pytest.importorskip("redis")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    queue = f"test-queue-{time.time_ns()}"
    now = time.time()
    for age in (300, 120, 5):  # kombu pushes on the left: the oldest ends up last
        client.lpush(queue, json.dumps({"headers": {"published_at": now - age}, "body": ""}))
    try:
        assert celery_queue_stats(queue=queue, now=now) == (3, 300.0)
    finally:
        client.delete(queue)
    assert celery_queue_stats(queue=queue, now=now) == (0, 0.0)
    settings.CELERY_BROKER_URL = "memory://"
    assert celery_queue_stats(queue=queue) is None


@pytest.mark.django_db
def test_metrics_add_up_gunicorn_workers_in_multiprocess_mode(client, monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    text = client.get("/metrics").content.decode()
    # Only what the workers wrote to the folder (nothing yet) plus the figures read at scrape time.
    assert "branchtrack_http_requests_total" not in text
    assert "branchtrack_rollup_age_seconds" in text
