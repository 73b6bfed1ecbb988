"""Writes of the api app: making and revoking tokens. A secret is returned once and stored only hashed."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from org.models import Role, Unit, User
from org.permissions import is_company_admin, unit_in_scope

SECRET_PREFIX = "bt_"
SHOWN_PREFIX_LENGTH = 10
# More than a person needs; keeps a leaked account from minting thousands of tokens.
MAX_TOKENS_PER_USER = 20


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _check(*, name: str, access: str, expires_at: datetime.datetime | None) -> dict[str, str]:
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the token a name that says what it is for.")
    if access not in ApiToken.Access.values:
        errors["access"] = _("Choose read only or read and write.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must lie in the future.")
    return errors


@transaction.atomic
def create_personal_token(
    *, user: User, name: str, access: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A token that acts as `user`. Returns the token and its secret (shown once, never stored)."""
    errors = _check(name=name, access=access, expires_at=expires_at)
    # Lock the user's row so parallel submits cannot both pass the count.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.usable().filter(user=user).count() >= MAX_TOKENS_PER_USER:
        errors["__all__"] = _("You have %(count)s tokens already; revoke one first.") % {
            "count": MAX_TOKENS_PER_USER
        }
    if errors:
        raise ValidationError(errors)
    secret = _new_secret()
    token = ApiToken.objects.create(
        kind=ApiToken.Kind.PERSONAL,
        name=name.strip(),
        user=user,
        created_by=user,
        access=access,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    return token, secret


# Service tokens are made by administrators of the whole company.
may_manage_service_tokens = is_company_admin


@transaction.atomic
def create_service_token(
    *,
    admin: User,
    unit: Unit,
    name: str,
    access: str,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A token for a system (a big screen, the OA portal) that sees `unit` and everything below it.

    It acts as an account of its own: party-affairs staff of `unit`, without a password, so the
    permission API scopes it exactly like a staff member of that unit.
    """
    if not may_manage_service_tokens(admin):
        raise ValidationError(_("Only an administrator of the whole company makes service tokens."))
    errors = _check(name=name, access=access, expires_at=expires_at)
    if not unit_in_scope(admin, unit):
        errors["unit"] = _("Choose a unit in your scope.")
    if errors:
        raise ValidationError(errors)
    secret = _new_secret()
    account = User(
        username=f"api-{secret[len(SECRET_PREFIX) : SHOWN_PREFIX_LENGTH].lower()}-{secrets.token_hex(4)}",
        first_name=name.strip()[:150],
        role=Role.STAFF,
        unit=unit,
    )
    account.set_unusable_password()
    account.save()
    token = ApiToken.objects.create(
        kind=ApiToken.Kind.SERVICE,
        name=name.strip(),
        user=account,
        created_by=admin,
        service_unit=unit,
        access=access,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: ApiToken) -> ApiToken:
    """Revoke at once; a service token's account is switched off with it (it has no other use)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        if token.kind == ApiToken.Kind.SERVICE:
            User.objects.filter(pk=token.user_id).update(is_active=False)
    return token
