"""Logging in through the login form, as a person does."""

from factories import PASSWORD


def log_in(page, username: str, password: str = PASSWORD, *, remember: bool = False):
    """Log in on ``page`` and wait for the home page; return the page."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    if remember:
        page.check("input[name=remember]")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return page
