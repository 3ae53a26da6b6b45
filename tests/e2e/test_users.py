"""Users (admin): the API and pages to create, change, reset and revoke; a deactivated user
loses bearer tokens, web sessions and remember-me cookies at once; passwords never show."""

import re

import pytest
from checks import BROWSER, assert_refused, nothing_changes
from factories import PASSWORD

from inventory.audit import AuditEvent, events_for
from inventory.auth.models import User
from inventory.db import db

NEW_PASSWORD = "a new long password"


pytestmark = pytest.mark.usefixtures("each_request_finds_its_own_user")


def login(client, username, password=PASSWORD, remember=False):
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "on"
    return client.post("/login", data=data)


def csrf_token(client) -> str:
    """The page's CSRF token, which the scan screen sends with its session's API calls."""
    page = client.get("/me/password").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def receive(client, token):
    """A keeper's stock movement over the API with the web session (as the scan screen)."""
    return client.post("/api/v1/receipts", headers={"X-CSRFToken": token},
                       json={"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1})


def user(username) -> User:
    db.session.rollback()
    return db.session.scalar(db.select(User).where(User.username == username))


def test_an_admin_lists_users_without_any_password(client, world):
    response = client.get("/api/v1/users", headers=world.headers("admin"))
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.get_json()}
    assert rows["keeper"]["depots"] == ["XZ-01"] and rows["keeper"]["role"] == "keeper"
    assert rows["keeper"]["valid_tokens"] == 1
    assert "password" not in response.get_data(as_text=True).replace("password_changed_at", "")


def test_an_admin_creates_a_user_who_can_then_log_in(client, world):
    response = client.post("/api/v1/users", headers=world.headers("admin"), json={
        "username": "li.wei", "password": NEW_PASSWORD, "role": "keeper",
        "depots": ["TS-01"], "display_name": "李伟"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["depots"] == ["TS-01"]
    assert "password" not in response.get_json()
    assert client.post("/api/v1/tokens", json={"username": "li.wei",
                                               "password": NEW_PASSWORD}).status_code == 201
    [event] = [e for e in events_for(db.session, "user", user("li.wei").id)
               if e.action == "user.create"]
    assert event.actor.username == "admin" and event.before is None
    assert event.after["role"] == "keeper" and NEW_PASSWORD not in event.details


@pytest.mark.parametrize("who", ["bureau", "keeper", "planner", "auditor"])
def test_only_an_admin_creates_or_changes_users(client, world, who):
    with nothing_changes(db.session):
        assert_refused(client.post("/api/v1/users", headers=world.headers(who), json={
            "username": "x.y", "password": NEW_PASSWORD, "role": "admin"}), 403, "forbidden")
        assert_refused(client.patch("/api/v1/users/keeper", headers=world.headers(who),
                                    json={"role": "admin"}), 403, "forbidden")
        assert_refused(client.post("/api/v1/users/keeper/password", headers=world.headers(who),
                                   json={"password": NEW_PASSWORD}), 403, "forbidden")
        assert_refused(client.delete("/api/v1/users/keeper/tokens",
                                     headers=world.headers(who)), 403, "forbidden")


def test_keepers_and_planners_do_not_read_the_users(client, world):
    for who in ("keeper", "planner", "bureau"):
        assert_refused(client.get("/api/v1/users", headers=world.headers(who)), 403, "forbidden")
    assert client.get("/api/v1/users", headers=world.headers("auditor")).status_code == 200


def test_bad_user_input_is_refused_with_the_field_named(client, world):
    admin = world.headers("admin")
    with nothing_changes(db.session):
        body = assert_refused(client.post("/api/v1/users", headers=admin, json={
            "username": "short.pw", "password": "short", "role": "keeper"}), 422, "invalid_input")
        assert "password" in body["errors"]
        assert_refused(client.post("/api/v1/users", headers=admin, json={
            "username": "keeper", "password": NEW_PASSWORD, "role": "keeper"}), 409,
            "state_conflict")
        assert_refused(client.post("/api/v1/users", headers=admin, json={
            "username": "a b", "password": NEW_PASSWORD, "role": "keeper"}), 422, "invalid_input")
        assert_refused(client.patch("/api/v1/users/keeper", headers=admin,
                                    json={"depots": ["NOPE"]}), 404, "not_found")
        assert_refused(client.patch("/api/v1/users/nobody", headers=admin,
                                    json={"active": False}), 404, "not_found")
        assert_refused(client.patch("/api/v1/users/admin", headers=admin,
                                    json={"active": False}), 409, "state_conflict")


def test_a_deactivated_keeper_loses_the_token_at_once(client, world):
    assert receive_with_token(client, world).status_code == 201
    response = client.patch("/api/v1/users/keeper", headers=world.headers("admin"),
                            json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert_refused(receive_with_token(client, world), 401, "unauthorized")
    [event] = [e for e in events_for(db.session, "user", world.users["keeper"].id)
               if e.action == "user.update"]
    assert (event.before, event.after) == ({"active": True}, {"active": False})


def receive_with_token(client, world):
    return client.post("/api/v1/receipts", headers=world.headers("keeper"), json={
        "depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1})


def test_a_deactivated_keeper_loses_an_open_web_session_at_once(app, world):
    keeper, admin = app.test_client(), app.test_client()
    assert login(keeper, "keeper").status_code == 302
    token = csrf_token(keeper)
    assert receive(keeper, token).status_code == 201
    assert login(admin, "admin").status_code == 302
    assert admin.post("/users/keeper", data={"role": "keeper", "depots": ["XZ-01"],
                                             "display_name": ""}).status_code == 302
    assert user("keeper").active is False
    with nothing_changes(db.session):
        assert_refused(receive(keeper, token), 401, "unauthorized")
        page = keeper.get("/", headers=BROWSER)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_deactivated_user_loses_the_remember_me_cookie_too(app, world):
    keeper = app.test_client()
    assert login(keeper, "keeper", remember=True).status_code == 302
    assert keeper.get_cookie("remember_token") is not None
    keeper.delete_cookie("session")
    assert keeper.get("/").status_code == 200  # the cookie alone logs the keeper back in
    keeper.delete_cookie("session")
    assert app.test_client().patch("/api/v1/users/keeper", headers=world.headers("admin"),
                                   json={"active": False}).status_code == 200
    page = keeper.get("/", headers=BROWSER)
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    keeper.delete_cookie("session")
    assert_refused(keeper.get("/api/v1/me"), 401, "unauthorized")


@pytest.mark.parametrize("change", [{"role": "planner"}, "password"])
def test_a_role_change_or_password_reset_ends_the_users_sessions(app, world, change):
    keeper = app.test_client()
    login(keeper, "keeper", remember=True)
    assert keeper.get("/").status_code == 200
    headers = world.headers("admin")
    if change == "password":
        response = app.test_client().post(
            "/api/v1/users/keeper/password", headers=headers, json={"password": NEW_PASSWORD})
        assert response.status_code == 204
    else:
        assert app.test_client().patch("/api/v1/users/keeper", headers=headers,
                                       json=change).status_code == 200
    assert keeper.get("/", headers=BROWSER).status_code == 302
    keeper.delete_cookie("session")
    assert keeper.get("/", headers=BROWSER).status_code == 302  # nor the remember cookie


def test_a_depot_or_name_change_keeps_the_session(app, world):
    keeper = app.test_client()
    login(keeper, "keeper")
    assert app.test_client().patch("/api/v1/users/keeper", headers=world.headers("admin"),
                                   json={"depots": ["XZ-01", "TS-01"],
                                         "display_name": "王库管"}).status_code == 200
    assert keeper.get("/").status_code == 200


def test_a_password_reset_works_and_is_never_logged(client, world):
    response = client.post("/api/v1/users/keeper/password", headers=world.headers("admin"),
                           json={"password": NEW_PASSWORD})
    assert response.status_code == 204
    assert login(client, "keeper").status_code == 401
    assert login(client, "keeper", NEW_PASSWORD).status_code == 302
    details = " ".join(e.details or "" for e in db.session.scalars(db.select(AuditEvent)))
    assert NEW_PASSWORD not in details and PASSWORD not in details
    [event] = [e for e in events_for(db.session, "user", world.users["keeper"].id)
               if e.action == "user.password_reset"]
    assert event.actor.username == "admin" and event.after["password_changed_at"]


def test_an_admin_revokes_every_token_of_a_user(client, world):
    second = client.post("/api/v1/tokens", json={"username": "keeper", "password": PASSWORD})
    token = second.get_json()["token"]
    response = client.delete("/api/v1/users/keeper/tokens", headers=world.headers("admin"))
    assert response.status_code == 200 and response.get_json() == {"revoked": 2}
    for headers in (world.headers("keeper"), {"Authorization": f"Bearer {token}"}):
        assert_refused(client.get("/api/v1/me", headers=headers), 401, "unauthorized")
    assert client.post("/api/v1/tokens", json={"username": "keeper",
                                               "password": PASSWORD}).status_code == 201


def test_users_change_their_own_password_on_the_page(app, world):
    keeper, other = app.test_client(), app.test_client()
    login(keeper, "keeper")
    login(other, "keeper")
    assert keeper.get("/me/password").status_code == 200
    wrong = keeper.post("/me/password", data={"current_password": "nope",
                                              "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    response = keeper.post("/me/password", data={"current_password": PASSWORD,
                                                 "password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert keeper.get("/").status_code == 200  # this session goes on
    assert other.get("/", headers=BROWSER).status_code == 302  # the other one ended
    assert login(app.test_client(), "keeper", NEW_PASSWORD).status_code == 302


def test_every_user_changes_their_own_password_over_the_api(client, world):
    for who in ("auditor", "keeper"):
        response = client.post("/api/v1/me/password", headers=world.headers(who), json={
            "current_password": PASSWORD, "password": NEW_PASSWORD})
        assert response.status_code == 204, response.get_json()
    assert_refused(client.post("/api/v1/me/password", headers=world.headers("planner"), json={
        "current_password": "wrong", "password": NEW_PASSWORD}), 422, "invalid_input")


def test_sessions_made_before_versions_existed_log_in_again(app, world):
    client = app.test_client()
    login(client, "keeper")
    with client.session_transaction() as session:
        session["_user_id"] = str(world.users["keeper"].id)  # as sessions were kept before
    assert client.get("/", headers=BROWSER).status_code == 302


def test_the_admin_pages_list_create_and_edit_users(app, world):
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/users/").get_data(as_text=True)
    assert "keeper2" in page and "password_hash" not in page
    response = admin.post("/users/", data={"username": "zhao.min", "password": NEW_PASSWORD,
                                           "role": "planner", "display_name": "赵敏"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/users/zhao.min")
    assert "赵敏" in admin.get("/users/zhao.min").get_data(as_text=True)
    assert admin.post("/users/zhao.min/password",
                      data={"password": "another long one"}).status_code == 302
    assert admin.post("/users/zhao.min/tokens/revoke").status_code == 302
    assert user("zhao.min").role == "planner"


@pytest.mark.parametrize("who", ["bureau", "keeper", "planner", "auditor"])
def test_only_admins_see_the_user_pages(app, world, who):
    client = app.test_client()
    login(client, who)
    assert client.get("/users/", headers=BROWSER).status_code == 403
    assert client.get("/users/keeper", headers=BROWSER).status_code == 403
