"""Each user lists their own bearer tokens (one per device) and revokes one, a lost phone's,
while the others keep working; admins do the same for any user. A revoked token is refused
at once in this worker; the token itself or its digest is never shown."""

import re

import pytest
from checks import BROWSER, assert_refused, nothing_changes
from factories import PASSWORD

from inventory.audit import AuditEvent
from inventory.auth.models import ApiToken
from inventory.auth.services import create_token
from inventory.db import db

pytestmark = pytest.mark.usefixtures("each_request_finds_its_own_user")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def token_id(name) -> int:
    db.session.rollback()
    return db.session.scalar(db.select(ApiToken.id).where(ApiToken.name == name))


@pytest.fixture
def phones(client, world):
    """The keeper logged in on two phones; each phone's token has been used once."""
    tokens = {}
    for name in ("旧手机", "新手机"):
        response = client.post("/api/v1/tokens", json={"username": "keeper",
                                                       "password": PASSWORD, "name": name})
        tokens[name] = response.get_json()["token"]
        assert client.get("/api/v1/me", headers=bearer(tokens[name])).status_code == 200
    return tokens


def test_a_user_lists_their_own_tokens_with_the_current_one_marked(client, world, phones):
    response = client.get("/api/v1/me/tokens", headers=bearer(phones["新手机"]))
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.get_json()}
    assert set(rows) == {"旧手机", "新手机", None}  # None: the world's own token
    assert rows["新手机"]["current"] is True and rows["旧手机"]["current"] is False
    assert set(rows["旧手机"]) == {"id", "name", "created_at", "last_used_at", "expires_at",
                                  "revoked_at", "current"}
    assert rows["旧手机"]["last_used_at"] and rows["旧手机"]["revoked_at"] is None
    assert re.search(r"[+-]\d\d:\d\d$|Z$", rows["旧手机"]["created_at"])
    text = response.get_data(as_text=True)
    assert not any(token in text for token in phones.values()) and "hash" not in text
    others = client.get("/api/v1/me/tokens", headers=world.headers("bureau")).get_json()
    assert [row["name"] for row in others] == [None]


def test_revoking_one_token_refuses_it_at_once_and_keeps_the_others(client, world, phones):
    lost = token_id("旧手机")
    response = client.delete(f"/api/v1/me/tokens/{lost}", headers=bearer(phones["新手机"]))
    assert response.status_code == 204
    assert_refused(client.get("/api/v1/me", headers=bearer(phones["旧手机"])), 401,
                   "unauthorized")
    assert client.get("/api/v1/me", headers=bearer(phones["新手机"])).status_code == 200
    assert client.get("/api/v1/me", headers=world.headers("keeper")).status_code == 200
    rows = client.get("/api/v1/me/tokens", headers=bearer(phones["新手机"])).get_json()
    assert [row["revoked_at"] is not None for row in rows if row["name"] == "旧手机"] == [True]
    [event] = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.action == "token.revoke")).all()
    assert event.actor.username == "keeper" and event.after["revoked_at"]


def test_revoking_a_token_already_revoked_answers_204_and_changes_nothing(
        client, world, phones):
    lost = token_id("旧手机")
    headers = bearer(phones["新手机"])
    assert client.delete(f"/api/v1/me/tokens/{lost}", headers=headers).status_code == 204
    with nothing_changes(db.session):
        assert client.delete(f"/api/v1/me/tokens/{lost}", headers=headers).status_code == 204


def test_a_token_may_revoke_itself(client, world, phones):
    mine = token_id("新手机")
    headers = bearer(phones["新手机"])
    assert client.delete(f"/api/v1/me/tokens/{mine}", headers=headers).status_code == 204
    assert_refused(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


@pytest.mark.parametrize("who", ["bureau", "admin"])
def test_another_users_token_or_an_unknown_id_answers_404(client, world, phones, who):
    with nothing_changes(db.session):
        for target in (token_id("旧手机"), 99999):
            assert_refused(client.delete(f"/api/v1/me/tokens/{target}",
                                         headers=world.headers(who)), 404, "not_found")
    assert client.get("/api/v1/me", headers=bearer(phones["旧手机"])).status_code == 200


def test_an_auditor_manages_their_own_tokens(client, world):
    spare = create_token(db.session, "auditor", "平板")
    headers = world.headers("auditor")
    rows = client.get("/api/v1/me/tokens", headers=headers).get_json()
    [row] = [r for r in rows if r["name"] == "平板"]
    assert client.delete(f"/api/v1/me/tokens/{row['id']}", headers=headers).status_code == 204
    assert_refused(client.get("/api/v1/me", headers=bearer(spare)), 401, "unauthorized")


def test_an_admin_lists_and_revokes_one_token_of_a_user(client, world, phones):
    admin = world.headers("admin")
    rows = client.get("/api/v1/users/keeper/tokens", headers=admin).get_json()
    assert {row["name"] for row in rows} == {"旧手机", "新手机", None}
    assert not any(row["current"] for row in rows)
    lost = token_id("旧手机")
    assert client.delete(f"/api/v1/users/keeper/tokens/{lost}", headers=admin).status_code == 204
    assert_refused(client.get("/api/v1/me", headers=bearer(phones["旧手机"])), 401,
                   "unauthorized")
    assert client.get("/api/v1/me", headers=bearer(phones["新手机"])).status_code == 200
    [event] = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.action == "token.revoke")).all()
    assert event.actor.username == "admin" and event.subject_id == world.users["keeper"].id


def test_an_admin_names_the_right_user_or_gets_404(client, world, phones):
    admin = world.headers("admin")
    with nothing_changes(db.session):
        assert_refused(client.delete(f"/api/v1/users/bureau/tokens/{token_id('旧手机')}",
                                     headers=admin), 404, "not_found")
        assert_refused(client.get("/api/v1/users/nobody/tokens", headers=admin), 404,
                       "not_found")


@pytest.mark.parametrize("who", ["keeper", "bureau", "planner", "auditor"])
def test_only_an_admin_revokes_another_users_token(client, world, phones, who):
    with nothing_changes(db.session):
        assert_refused(client.delete(f"/api/v1/users/keeper/tokens/{token_id('旧手机')}",
                                     headers=world.headers(who)), 403, "forbidden")


@pytest.mark.parametrize("who", ["keeper", "bureau", "planner"])
def test_only_admins_and_auditors_read_a_users_tokens(client, world, who):
    assert_refused(client.get("/api/v1/users/keeper/tokens", headers=world.headers(who)),
                   403, "forbidden")
    assert client.get("/api/v1/users/keeper/tokens",
                      headers=world.headers("auditor")).status_code == 200


def test_a_used_token_shows_when_it_was_last_used(client, world):
    token = create_token(db.session, "planner", "笔记本")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    db.session.rollback()
    used = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "笔记本"))
    assert used.last_used_at is not None


# -- the pages -------------------------------------------------------------------------------

def login(client, username):
    assert client.post("/login", data={"username": username,
                                       "password": PASSWORD}).status_code == 302


def test_the_devices_page_lists_tokens_in_the_bureaus_time(app, world, phones):
    keeper = app.test_client()
    login(keeper, "keeper")
    page = keeper.get("/me/tokens", headers=BROWSER)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "我的登录设备" in text and "旧手机" in text and "新手机" in text
    assert text.count('action="/me/tokens/') == 3
    created = db.session.scalar(db.select(ApiToken.created_at).where(ApiToken.name == "旧手机"))
    from inventory.clock import format_local

    assert format_local(created) in text
    assert not any(token in text for token in phones.values())
    assert 'href="/me/tokens"' in keeper.get("/", headers=BROWSER).get_data(as_text=True)


def test_revoking_from_the_devices_page(app, world, phones, client):
    keeper = app.test_client()
    login(keeper, "keeper")
    response = keeper.post(f"/me/tokens/{token_id('旧手机')}/revoke", headers=BROWSER)
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/tokens")
    assert_refused(client.get("/api/v1/me", headers=bearer(phones["旧手机"])), 401,
                   "unauthorized")
    text = keeper.get("/me/tokens", headers=BROWSER).get_data(as_text=True)
    assert "访问令牌已撤销" in text and "已撤销于" in text
    assert text.count('action="/me/tokens/') == 2


def test_another_users_token_cannot_be_revoked_from_the_devices_page(app, world, phones):
    bureau = app.test_client()
    login(bureau, "bureau")
    with nothing_changes(db.session):
        response = bureau.post(f"/me/tokens/{token_id('旧手机')}/revoke", headers=BROWSER,
                               follow_redirects=True)
    assert "没有编号为" in response.get_data(as_text=True)


def test_an_auditor_revokes_their_own_token_from_the_page(app, world):
    create_token(db.session, "auditor", "平板")
    auditor = app.test_client()
    login(auditor, "auditor")
    response = auditor.post(f"/me/tokens/{token_id('平板')}/revoke", headers=BROWSER)
    assert response.status_code == 302
    assert db.session.get(ApiToken, token_id("平板")).revoked_at is not None


def test_the_admin_revokes_one_token_from_the_user_page(app, world, phones, client):
    admin = app.test_client()
    login(admin, "admin")
    text = admin.get("/users/keeper", headers=BROWSER).get_data(as_text=True)
    assert "旧手机" in text and f"/users/keeper/tokens/{token_id('旧手机')}/revoke" in text
    response = admin.post(f"/users/keeper/tokens/{token_id('旧手机')}/revoke", headers=BROWSER)
    assert response.status_code == 302
    assert_refused(client.get("/api/v1/me", headers=bearer(phones["旧手机"])), 401,
                   "unauthorized")
    assert client.get("/api/v1/me", headers=bearer(phones["新手机"])).status_code == 200
    keeper = app.test_client()
    login(keeper, "keeper")
    assert keeper.post(f"/users/keeper/tokens/{token_id('新手机')}/revoke",
                       headers=BROWSER).status_code == 403
