"""Reads of the api app: the tokens a user may see and revoke."""

from __future__ import annotations

from django.db.models import QuerySet

from api.models import ApiToken
from api.services import may_manage_service_tokens
from org.models import User


def personal_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(kind=ApiToken.Kind.PERSONAL, user=user).order_by("-created_at", "-pk")


def service_tokens_for(user: User) -> QuerySet[ApiToken]:
    if not may_manage_service_tokens(user):
        return ApiToken.objects.none()
    return (
        ApiToken.objects.filter(kind=ApiToken.Kind.SERVICE)
        .select_related("service_unit", "created_by")
        .order_by("-created_at", "-pk")
    )
