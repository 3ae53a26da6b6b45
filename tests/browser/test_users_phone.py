"""The administrator's desk in a real browser on a phone (390 × 844): deactivating a keeper
ends the keeper's open session and remember-me cookie at once; the users, password and audit
pages fit the screen in both languages."""

import pytest
from login import log_in
from phone_screen import assert_fits

from inventory.db import db


def test_a_deactivated_keeper_is_logged_out_of_an_open_browser(browser, phone, live_app,
                                                               live_world):
    keeper_context = browser.new_context(base_url=live_app.config["LIVE_URL"])
    keeper = log_in(keeper_context.new_page(), "keeper", remember=True)
    keeper.goto("/depots/XZ-01")
    assert keeper.url.endswith("/depots/XZ-01")

    admin = log_in(phone.new_page(), "admin")
    admin.goto("/users/keeper")
    assert_fits(admin)
    admin.uncheck("input[name=active]")
    admin.click("form.user-form >> nth=0 >> button")
    admin.wait_for_load_state()
    assert "用户已更新" in admin.content()

    keeper.goto("/depots/XZ-01")
    assert "/login" in keeper.url  # the open session ended
    # The remember-me cookie alone, without a session, no longer logs the keeper in either.
    [remember] = [c for c in keeper_context.cookies() if c["name"] == "remember_token"]
    keeper_context.clear_cookies()
    keeper_context.add_cookies([remember])
    keeper.goto("/depots/XZ-01")
    assert "/login" in keeper.url
    keeper_context.close()
    db.session.rollback()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_admin_and_audit_pages_fit_a_phone(phone, live_world, language):
    page = log_in(phone.new_page(), "admin")
    page.goto(f"/lang/{language}")
    for path in ("/users/", "/users/keeper", "/me/password", "/me/tokens", "/audit/",
                 "/audit/?entity=user"):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_fits(page)


def test_a_keeper_revokes_a_lost_phones_token_on_their_own_phone(phone, live_app, live_world):
    from sqlalchemy import select

    from inventory.auth.models import ApiToken
    from inventory.auth.services import create_token

    lost = create_token(db.session, "keeper", "王师傅的旧手机（华为 Mate 20 Pro 仓库值班用）")
    create_token(db.session, "keeper", "新手机")
    page = log_in(phone.new_page(), "keeper")
    page.click("a[href='/me/tokens']")
    page.wait_for_url("**/me/tokens")
    assert_fits(page)
    assert "旧手机" in page.inner_text("main")
    page.click("li:has-text('旧手机') >> button")
    page.wait_for_selector("text=访问令牌已撤销")
    assert_fits(page)
    assert "已撤销于" in page.inner_text("li:has-text('旧手机')")
    db.session.rollback()
    assert db.session.scalar(select(ApiToken.revoked_at).where(
        ApiToken.name.like("%旧手机%"))) is not None
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.name == "新手机")) is None
    assert page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {lost}"}).status == 401
    page.goto("/lang/en")
    page.goto("/me/tokens")
    assert "My devices and tokens" in page.inner_text("h1")
    assert_fits(page)
