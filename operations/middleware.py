"""Middleware of operations: the probe and metrics endpoints, request ids, request metrics.

OperationsEndpointsMiddleware comes first in MIDDLEWARE: a probe from the load balancer or systemd
(plain HTTP on the loopback, any Host) is answered before the HTTPS redirect, the host check, the
session and the language, so it costs no session, no cookie and no database write.
"""

from __future__ import annotations

import logging
import time

from django.db import connections
from django.utils.functional import SimpleLazyObject, empty

from operations import metrics
from operations.request_id import HEADER, current_request_id, incoming_or_new_request_id
from operations.views import ENDPOINTS

access_log = logging.getLogger("branchtrack.request")


class OperationsEndpointsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is not None:
            return endpoint(request)
        return self.get_response(request)


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy (or makes one), logs under it, and answers with it.

    Also logs one access line per request (view, status, duration, queries): gunicorn's own access log
    is off in deploy/gunicorn.conf.py because it cannot carry the request id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = incoming_or_new_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        queries = QueryCounter()
        try:
            with connections["default"].execute_wrapper(queries):
                response = self.get_response(request)
            elapsed = time.perf_counter() - started
            view = view_name(request)
            metrics.REQUESTS.labels(view=view, method=request.method, status=str(response.status_code)).inc()
            metrics.REQUEST_SECONDS.labels(view=view).observe(elapsed)
            metrics.DATABASE_QUERIES.labels(view=view).inc(queries.count)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                    "queries": queries.count,
                    "user_id": loaded_user_id(request),
                },
            )
            response[HEADER] = request_id
            return response
        finally:
            current_request_id.reset(token)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def loaded_user_id(request) -> int | None:
    # Only a user the request already loaded: loading it here would query the database (which may be the
    # very thing that is down) outside the middleware that turns that into a 503 page.
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    return getattr(user, "pk", None)


def view_name(request) -> str:
    # The URL pattern's name, never the path: the label must not grow with ids in URLs.
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match._func_path
