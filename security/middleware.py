"""Security middleware: the Content-Security-Policy and Permissions-Policy headers, no caching of signed-in
responses, and the 503 page when PostgreSQL is down."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger("security")

# Clients and proxies may retry after this many seconds.
RETRY_AFTER_SECONDS = 30


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response that has none yet.

    The policy allows scripts and styles from our own origin only, so an injected <script> or
    style="" attribute does nothing even if escaping were ever missed somewhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        if settings.PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user: pages, exports, files.

    A shared proxy or the browser's disk must not keep what one user may see. Static files (WhiteNoise
    answers them before this runs) and responses that set their own caching (the service worker script)
    keep theirs. The service worker keeps pages for offline use in its own Cache Storage, which
    `no-store` does not govern (static/js/sw_main.js).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if "Cache-Control" not in response and session is not None and session.get(SESSION_KEY):
            response["Cache-Control"] = "private, no-store"
        return response


def database_unavailable_response() -> HttpResponse:
    # Rendered without a request: context processors (navigation, the user) would query the database.
    body = loader.render_to_string("503.html")
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers a plain bilingual 503 page instead of a traceback when the database cannot be reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable while serving %s: %s", request.path, exception)
        return database_unavailable_response()
