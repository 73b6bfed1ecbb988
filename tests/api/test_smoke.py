import pytest

ENDPOINTS = [
    "units",
    "branches",
    "campaigns",
    "coverage",
    "visits",
    "findings",
    "meetings",
    "feedback",
    "projects",
    "rounds",
    "ratings",
    "tracking-lists",
    "tracking-entries",
    "outstanding-lists",
    "pairings",
    "activities",
    "liaison-groups",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_admin_lists(world, token_client, endpoint):
    client = token_client(world.admin)
    response = client.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200, response.content
    assert "results" in response.json()
