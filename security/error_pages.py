"""The project's error pages (404, 403, 400, 500), answering 503 when showing them needs the unreachable database.

The 404 and 403 pages extend base.html: its menu and the user's name read the session and the user from
the database. With the database down they must answer the same 503 page as every other page, not a 500.
The 500 handler runs inside the `except` of the error it answers: a database error that escaped the
middleware (raised while saving the session, say) is a 503 too.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.views import defaults

from security.middleware import database_unavailable_response

logger = logging.getLogger("security")
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _unavailable(request, exception):
    logger.error("Database unavailable while serving %s: %s", request.path, exception)
    return database_unavailable_response()


def page_not_found(request, exception):
    try:
        return defaults.page_not_found(request, exception)
    except DATABASE_ERRORS as error:
        return _unavailable(request, error)


def permission_denied(request, exception):
    try:
        return defaults.permission_denied(request, exception)
    except DATABASE_ERRORS as error:
        return _unavailable(request, error)


def bad_request(request, exception):
    try:
        return defaults.bad_request(request, exception)
    except DATABASE_ERRORS as error:
        return _unavailable(request, error)


def server_error(request):
    answered = sys.exc_info()[1]
    if isinstance(answered, DATABASE_ERRORS):
        return _unavailable(request, answered)
    return defaults.server_error(request)
