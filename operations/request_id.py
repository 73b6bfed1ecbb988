"""The id of the request being served (or of the request that queued the running task), for the logs."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")

# An id from the proxy (nginx's $request_id) or the client is kept only if it looks like one: it ends up
# in every log line, so no spaces, quotes or newlines, and bounded.
ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
HEADER = "X-Request-ID"


def incoming_or_new_request_id(value: str | None) -> str:
    if value and ACCEPTABLE_ID.match(value):
        return value
    return uuid.uuid4().hex
