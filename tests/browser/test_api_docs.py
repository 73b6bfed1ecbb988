"""The API documentation page: Swagger UI from static/vendor runs under the CSP (no console error) and
lists the endpoints; a token made on the token page answers a real request."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_documentation_renders_under_the_csp_and_a_new_token_works(journey, org):
    page = journey.page
    journey.login(org.staff)
    journey.goto("/api/docs/")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("branchtrack API")
    expect(page.locator("#swagger-ui").get_by_text("/api/v1/visits/", exact=True).first).to_be_visible()

    journey.goto("/api/tokens/")
    page.get_by_label(journey.t("Name")).fill("大屏")
    page.get_by_role("button", name=journey.t("Make token")).click()
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("bt_")
    answer = page.request.get(journey.url("/api/v1/units/"), headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    assert answer.json()["results"]
