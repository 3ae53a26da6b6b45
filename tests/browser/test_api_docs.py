"""The API reference page renders Swagger UI from the npm registry and leads back to the app."""

from login import log_in


def test_the_api_reference_renders_and_has_a_way_back(phone, live_world):
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "bureau")
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "County emergency reserves API" in page.inner_text(".swagger-ui .info .title")
    page.click("header.top a.brand")
    page.wait_for_url("**/")
    assert errors == []
