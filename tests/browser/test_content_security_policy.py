"""The Content-Security-Policy holds in a real browser: the pages load under it, and what it
forbids (inline script, a script or image from elsewhere) is refused and caught by the
browser tests' watch on the console."""

from login import log_in


def test_an_inline_script_or_foreign_image_is_refused_and_noticed(
        phone, live_world, no_content_security_policy_violations):
    page = phone.new_page()
    log_in(page, "keeper")
    page.goto("/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
        const image = document.createElement("img");
        image.src = "https://example.org/pixel.png";
        document.body.append(image);
    }""")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.injected") is None
    seen = list(no_content_security_policy_violations)
    no_content_security_policy_violations.clear()  # caught here, on purpose
    assert any("script" in text for text in seen) and any("img-src" in text for text in seen)


def test_the_pages_of_a_working_day_load_without_a_violation(phone, live_world):
    page = phone.new_page()
    log_in(page, "admin")
    for path in ("/", "/scan/", "/transfers/new", "/readiness/", "/shelters/", "/planning/",
                 "/imports/", "/exports/", "/users/", "/audit/", "/transport/", "/me/password",
                 "/me/tokens"):
        response = page.goto(path)
        assert response.status < 400, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
