"""Authentication by API token (`Authorization: Bearer bt_...`); the browser keeps its session."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from api.models import ApiToken
from api.services import hash_secret

# last_used_at is a hint for the token page, not an audit trail: write it at most this often.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
MAX_SECRET_LENGTH = 200


class TokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _sep, secret = header.partition(" ")
        if keyword.lower() not in ("bearer", "token"):
            return None
        secret = secret.strip()
        if not secret or len(secret) > MAX_SECRET_LENGTH or not secret.isascii():
            raise exceptions.AuthenticationFailed(_("The API token is missing or malformed."))
        now = timezone.now()
        token = (
            ApiToken.objects.usable(now=now)
            .select_related("user__unit", "user__department", "user__branch")
            .filter(key_hash=hash_secret(secret))
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The API token is unknown, revoked or expired."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
