"""/healthz, /readyz and /metrics: plain JSON or text, no templates, no session, no database writes."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from operations import metrics
from operations.readiness import readiness

PROBE_HEADERS = {"Cache-Control": "no-store"}


def healthz(request) -> JsonResponse:
    """The process is up and answering: nothing else is checked (a liveness probe)."""
    return JsonResponse({"status": "ok"}, headers=PROBE_HEADERS)


def readyz(request) -> JsonResponse:
    """Database, Redis, a worker's heartbeat and the migrations: 200 if all are fine, else 503."""
    checks = readiness()
    ready = all(result.ok for result in checks.values())
    body = {
        "status": "ok" if ready else "fail",
        "failed": [name for name, result in checks.items() if not result.ok],
        "checks": {name: result.as_json() for name, result in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503, headers=PROBE_HEADERS)


def metrics_allowed(request) -> bool:
    """With METRICS_TOKEN set, only `Authorization: Bearer <token>`; without it, only the loopback.

    A request that came through the proxy carries X-Forwarded-For (deploy/nginx): it is refused on the
    loopback rule, since for gunicorn behind nginx every client looks like 127.0.0.1.
    """
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_view(request) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            "禁止访问：/metrics 只回答本机或带令牌的请求（见 docs/deploy.md）。\n"
            "Forbidden: /metrics answers the loopback or a bearer token (docs/deploy.md).\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(
        metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8", headers=PROBE_HEADERS
    )


ENDPOINTS = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics_view}
