import pytest
from django.test import Client

from api import services
from api.models import ApiToken
from tests.security.world import build_world


@pytest.fixture
def world(org):
    return build_world(org)


@pytest.fixture
def token_client():
    """token_client(user, access="read") -> a test client that sends that user's new API token."""

    def _client(user, access=ApiToken.Access.READ):
        _token, secret = services.create_personal_token(user=user, name="test", access=access)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return _client
