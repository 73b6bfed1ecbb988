"""Celery messages carry the id of the request that queued them and when they were queued.

The worker logs under the enqueuing request's id, and /metrics reads the age of the oldest queued task
from the `published_at` header. Both cost a dict entry per message.
"""

from __future__ import annotations

import time

from celery import signals

from operations.request_id import current_request_id

REQUEST_ID_HEADER = "request_id"
PUBLISHED_AT_HEADER = "published_at"


def add_request_id_and_time(sender=None, headers=None, **kwargs) -> None:
    if headers is None:
        return
    headers.setdefault(REQUEST_ID_HEADER, current_request_id.get())
    headers.setdefault(PUBLISHED_AT_HEADER, time.time())


def adopt_request_id(sender=None, task=None, **kwargs) -> None:
    request = getattr(task, "request", None)
    enqueuer = getattr(request, REQUEST_ID_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        REQUEST_ID_HEADER
    )
    if enqueuer and request is not None and not getattr(request, "is_eager", False):
        request._operations_token = current_request_id.set(str(enqueuer))


def forget_request_id(sender=None, task=None, **kwargs) -> None:
    request = getattr(task, "request", None)
    token = getattr(request, "_operations_token", None)
    if token is not None:
        current_request_id.reset(token)
        request._operations_token = None


def connect_signals() -> None:
    signals.before_task_publish.connect(add_request_id_and_time, dispatch_uid="operations-publish")
    signals.task_prerun.connect(adopt_request_id, dispatch_uid="operations-prerun")
    signals.task_postrun.connect(forget_request_id, dispatch_uid="operations-postrun")
