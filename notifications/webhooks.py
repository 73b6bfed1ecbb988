"""Group-robot webhooks: each service's message body and request signature, and the POST itself.

DingTalk (custom robot, "加签"): sign = base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")),
timestamp in milliseconds, both appended to the URL's query (the sign URL-encoded).
Feishu (custom bot, "签名校验"): sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")),
timestamp in seconds, both in the JSON body. WeCom's robot key is part of its URL (no signature).
The generic webhook gets a plain JSON object and, with a secret, an `X-Branchtrack-Signature` header:
hex HMAC-SHA256 of the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

TIMEOUT_SECONDS = 5


class WebhookError(Exception):
    """The receiver was unreachable or refused the message; the delivery is retried later."""


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    url: str  # absolute link to the object
    created_at: str


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def request_for(*, kind: str, target: str, secret: str, message: Message, now: float | None = None):
    """The (url, body bytes, headers) to POST for a channel kind."""
    now = time.time() if now is None else now
    text = f"{message.title}\n{message.url}"
    headers = {"Content-Type": "application/json; charset=utf-8"}
    url = target
    if kind == "wecom":
        body = {"msgtype": "text", "text": {"content": text}}
    elif kind == "dingtalk":
        body = {"msgtype": "text", "text": {"content": text}}
        if secret:
            timestamp = int(now * 1000)
            query = urllib.parse.urlencode({"timestamp": timestamp, "sign": dingtalk_sign(secret, timestamp)})
            url = f"{target}{'&' if '?' in target else '?'}{query}"
    elif kind == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            timestamp = int(now)
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
    else:
        body = {
            "kind": message.kind,
            "title": message.title,
            "url": message.url,
            "created_at": message.created_at,
        }
    data = json.dumps(body, ensure_ascii=False).encode()
    if kind == "webhook" and secret:
        headers["X-Branchtrack-Signature"] = hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
    return url, data, headers


def post(*, kind: str, target: str, secret: str, message: Message) -> None:
    """POST the message; raises WebhookError on a network error, a non-2xx answer, or a robot's
    error code in a 200 answer (DingTalk and WeCom say `errcode`, Feishu `code`)."""
    url, data, headers = request_for(kind=kind, target=target, secret=secret, message=message)
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (admin-set http(s) URL)
            answer = response.read(4096)
    except OSError as exc:  # URLError, HTTPError, timeouts, refused connections
        raise WebhookError(str(exc)[:300]) from exc
    try:
        payload = json.loads(answer or b"{}")
    except ValueError:
        return
    if isinstance(payload, dict):
        code = payload.get("errcode", payload.get("code", 0))
        if code not in (0, None):
            raise WebhookError(f"error {code}: {payload.get('errmsg') or payload.get('msg') or ''}"[:300])
