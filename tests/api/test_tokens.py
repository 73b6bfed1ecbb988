"""API tokens: made and revoked by their user, hashed at rest, expiring, read-only or read-write;
service tokens by a company administrator for a unit's scope; a rate limit counted per token."""

import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from api import services
from api.models import ApiToken
from org.models import User


def _bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_secret_is_stored_only_hashed(org):
    token, secret = services.create_personal_token(user=org.staff, name="大屏", access="read")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("bt_") and len(secret) > 40
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert _bearer(secret).get("/api/v1/units/").status_code == 200


@pytest.mark.parametrize("header", ["Bearer bt_nonsense", "Bearer ", "Token x" + "y" * 300, "Bearer bt_²"])
def test_unknown_or_malformed_token_is_401(org, header):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/units/")
    assert response.status_code == 401
    assert set(response.json()) == {"errors"}


def test_revoked_token_stops_working_at_once(org):
    token, secret = services.create_personal_token(user=org.staff, name="x", access="read")
    client = _bearer(secret)
    assert client.get("/api/v1/units/").status_code == 200
    services.revoke_token(token=token)
    assert client.get("/api/v1/units/").status_code == 401


def test_expired_token_is_401(org):
    token, secret = services.create_personal_token(
        user=org.staff, name="x", access="read", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert _bearer(secret).get("/api/v1/units/").status_code == 401


def test_token_of_a_deactivated_user_is_401(org):
    _token, secret = services.create_personal_token(user=org.staff, name="x", access="read")
    User.objects.filter(pk=org.staff.pk).update(is_active=False)
    assert _bearer(secret).get("/api/v1/units/").status_code == 401


def test_bad_token_input_is_refused_with_messages(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.create_personal_token(
            user=org.staff, name=" ", access="all", expires_at=timezone.now() - datetime.timedelta(days=1)
        )
    assert set(caught.value.message_dict) == {"name", "access", "expires_at"}
    assert not ApiToken.objects.exists()


def test_only_a_company_admin_makes_service_tokens(org):
    from django.core.exceptions import ValidationError

    for user in (org.unit_admin, org.staff, org.reviewer):
        with pytest.raises(ValidationError):
            services.create_service_token(admin=user, unit=org.county, name="x", access="read")
    token, _secret = services.create_service_token(
        admin=org.admin, unit=org.county, name="大屏", access="read"
    )
    assert token.user.unit == org.county and token.user.role == "staff"
    assert not token.user.has_usable_password()


def test_revoking_a_service_token_switches_its_account_off(org):
    token, secret = services.create_service_token(admin=org.admin, unit=org.county, name="x", access="read")
    services.revoke_token(token=token)
    assert not User.objects.get(pk=token.user_id).is_active
    assert _bearer(secret).get("/api/v1/units/").status_code == 401


def test_rate_limit_is_per_token(org, settings):
    settings.API_RATE_LIMIT = "3/minute"
    _t, first = services.create_personal_token(user=org.staff, name="a", access="read")
    _t, second = services.create_personal_token(user=org.staff, name="b", access="read")
    statuses = [_bearer(first).get("/api/v1/units/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = _bearer(first).get("/api/v1/units/")
    assert throttled.json()["errors"][0]["code"] == "throttled"
    assert "Retry-After" in throttled
    assert _bearer(second).get("/api/v1/units/").status_code == 200


def test_errors_come_in_the_callers_language(org):
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/units/")
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/units/")
    assert english.json()["errors"][0]["message"] == "Authentication credentials were not provided."
    assert chinese.json()["errors"][0]["message"] != english.json()["errors"][0]["message"]
    assert chinese.json()["errors"][0]["code"] == "not_authenticated"


# --- the pages -------------------------------------------------------------------------------------


def test_user_makes_sees_once_and_revokes_a_token(org, login):
    client = login(org.secretary)
    response = client.post("/api/tokens/", {"name": "我的脚本", "access": "write", "expires_on": ""})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    token = ApiToken.objects.get(user=org.secretary)
    assert token.access == "write" and token.kind == "personal"
    listing = client.get("/api/tokens/").content.decode()
    assert secret not in listing and token.prefix in listing
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_expiry_date_covers_the_whole_day(org, login):
    client = login(org.staff)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    client.post("/api/tokens/", {"name": "x", "access": "read", "expires_on": tomorrow.isoformat()})
    token = ApiToken.objects.get(user=org.staff)
    assert timezone.localtime(token.expires_at).date() == tomorrow + datetime.timedelta(days=1)


def test_token_form_errors_are_400_next_to_the_field(org, login):
    client = login(org.staff)
    response = client.post("/api/tokens/", {"name": "", "access": "read", "expires_on": "2001-01-01"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"name"}
    assert not ApiToken.objects.exists()


def test_nobody_revokes_anothers_token(org, login):
    token, _secret = services.create_personal_token(user=org.staff, name="x", access="read")
    client = login(org.admin)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_service_token_page_is_for_company_admins(org, login):
    assert login(org.unit_admin).get("/api/service-tokens/").status_code == 403
    client = login(org.admin)
    response = client.post(
        "/api/service-tokens/", {"name": "大屏", "unit": org.county.pk, "access": "read", "expires_on": ""}
    )
    assert response.status_code == 200 and response.context["secret"]
    token = ApiToken.objects.get(kind="service")
    assert token.service_unit == org.county
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_documentation_page_loads_vendored_assets_only(org, login):
    response = login(org.staff).get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "<script>" not in html and "style=" not in html
    assert "https://" not in html and "unpkg" not in html


def test_schema_is_public_and_valid_openapi(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/visits/" in schema["paths"]
