"""The depot edit page and the lot page's quarantine form, with the Flask client."""

import re
from decimal import Decimal

import pytest
from checks import BROWSER, assert_refused_page, nothing_changes
from factories import PASSWORD

from inventory.audit import AuditEvent, events_for
from inventory.db import db
from inventory.geo import services as depots
from inventory.geo.models import Depot
from inventory.stock import services as stock

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
EDIT = "/depots/XZ-01/edit"


def login(client, username):
    client.post("/login", data={"username": username, "password": PASSWORD})


def text(response) -> str:
    return response.get_data(as_text=True)


def county_depot() -> Depot:
    db.session.rollback()  # see what the request committed
    return db.session.query(Depot).filter_by(code="XZ-01").one()


def form_of(page: str) -> dict:
    """The edit form's fields as the browser would send them untouched."""
    fields = dict(re.findall(r'<input type="hidden" name="(was_\w+)" value="([^"]*)"', page))
    fields |= {name[4:]: value for name, value in fields.items() if name != "was_active"}
    if fields["was_active"]:
        fields["active"] = "1"
    return fields


# -- depot details ------------------------------------------------------------------------

@pytest.mark.parametrize("user, allowed", [
    ("bureau", True), ("admin", True), ("keeper", False), ("planner", False), ("auditor", False)])
def test_only_the_bureau_and_admins_are_offered_and_given_the_edit_page(client, world, user,
                                                                         allowed):
    login(client, user)
    assert ('href="/depots/XZ-01/edit"' in text(client.get("/depots/XZ-01"))) is allowed
    assert client.get(EDIT).status_code == (200 if allowed else 403)
    posted = client.post(EDIT, data={"handling_hours": "3"})
    assert posted.status_code == (302 if allowed else 403)
    assert county_depot().handling_hours == (Decimal(3) if allowed else Decimal(1))


def test_the_bureau_sets_the_handling_time_on_the_page(client, world):
    login(client, "bureau")
    page = text(client.get(EDIT))
    assert "装车出库时间（小时）" in page and 'value="1"' in page and "暂无修改记录" in page
    saved = client.post(EDIT, data=form_of(page) | {"handling_hours": "2.5"})
    assert saved.status_code == 302 and saved.headers["Location"] == "/depots/XZ-01"
    depot_page = text(client.get("/depots/XZ-01"))
    assert "储备库信息已保存" in depot_page and "装车出库 2.5 小时" in depot_page
    assert county_depot().handling_hours == Decimal("2.5")
    history = text(client.get(EDIT)).split("修改记录")[1]
    assert "bureau" in history and "装车出库时间（小时）</span> 1 → 2.5" in history
    assert "名称" not in history  # only what changed is recorded


def test_a_bad_value_shows_the_form_again_with_its_message_and_changes_nothing(client, world):
    login(client, "bureau")
    form = form_of(text(client.get(EDIT)))
    refused = client.post(EDIT, data=form | {"handling_hours": "80", "name": "新名称"})
    assert refused.status_code == 422
    page = text(refused)
    assert "未保存：请改正标出的字段" in page and "须在 0 至 72 之间" in page
    assert 'value="80"' in page and 'value="新名称"' in page  # what was typed stays
    depot = county_depot()
    assert (depot.name, depot.handling_hours) == ("县级救灾物资储备库", Decimal(1))
    assert db.session.query(AuditEvent).filter_by(subject_type="depot").count() == 0


def test_only_the_fields_changed_on_the_form_are_written(client, world):
    login(client, "bureau")
    form = form_of(text(client.get(EDIT)))
    # While the form is open, someone changes the capacity through the API's service.
    depots.update_depot(db.session, world.users["admin"], "XZ-01", capacity_m3=4500)
    client.post(EDIT, data=form | {"handling_hours": "0.5"})
    depot = county_depot()
    assert (depot.capacity_m3, depot.handling_hours) == (Decimal(4500), Decimal("0.5"))


def test_unticking_active_deactivates_the_depot(client, world):
    login(client, "bureau")
    form = form_of(text(client.get(EDIT)))
    del form["active"]
    assert client.post(EDIT, data=form).status_code == 302
    assert county_depot().active is False
    assert "停用" in text(client.get(EDIT)).split("修改记录")[1]


def test_an_unknown_depot_has_no_edit_page(client, world):
    login(client, "bureau")
    form = form_of(text(client.get(EDIT)))
    assert_refused_page(client.get("/depots/NOPE/edit", headers=BROWSER), 404, "没有找到该页面")
    with nothing_changes(db.session):
        assert_refused_page(client.post("/depots/NOPE/edit", data=form, headers=BROWSER), 404,
                            "没有找到该页面")


def test_the_edit_page_in_english(client, world):
    depots.update_depot(db.session, world.users["bureau"], "XZ-01", kind="enterprise",
                        handling_hours=2)
    login(client, "bureau")
    client.get("/lang/en")
    page = text(client.get(EDIT))
    assert "Handling time (hours)" in page and "Change history" in page
    main = page.split("<main>")[1].replace("县级救灾物资储备库", "").replace("阳城县", "")
    assert HAN.findall(main) == []
    refused = text(client.post(EDIT, data=form_of(page) | {"handling_hours": "-1"}))
    assert "must be between 0 and 72" in refused


# -- lot status -------------------------------------------------------------------------

@pytest.fixture
def lot(world):
    lot, _ = stock.receive(db.session, world.users["keeper"], depot="XZ-01", item="FW-BISCUIT",
                           quantity=10, lot_code="B-01")
    return lot.id


def lot_statuses(lot):
    db.session.rollback()
    return [(e.actor.username, e.data) for e in events_for(db.session, "lot", lot)]


@pytest.mark.parametrize("user, allowed", [
    ("keeper", True), ("admin", True), ("keeper2", False), ("bureau", False),
    ("planner", False), ("auditor", False)])
def test_the_quarantine_form_is_for_those_who_may_move_the_lots_stock(client, world, lot, user,
                                                                      allowed):
    login(client, user)
    assert (f'action="/lots/{lot}/status"' in text(client.get(f"/lots/{lot}"))) is allowed
    done = client.post(f"/lots/{lot}/status", data={"status": "quarantined", "reason": "待检"},
                       follow_redirects=True)
    assert ("批次已封存待检" in text(done)) is allowed
    assert ("无权" in text(done)) is not allowed
    assert len(lot_statuses(lot)) == (1 if allowed else 0)


def test_a_keeper_quarantines_and_releases_a_lot_with_reasons(client, world, lot):
    login(client, "keeper")
    page = text(client.post(f"/lots/{lot}/status", follow_redirects=True,
                            data={"status": "quarantined", "reason": "包装破损待质检"}))
    assert '<span class="status quarantined">待检/封存</span>' in page
    assert "解除封存，恢复可用" in page and "包装破损待质检" in page
    page = text(client.post(f"/lots/{lot}/status", follow_redirects=True,
                            data={"status": "available", "reason": "质检合格"}))
    assert '<span class="status available">可用</span>' in page and "质检合格" in page
    assert "可用 → 待检/封存" in page and "待检/封存 → 可用" in page
    assert lot_statuses(lot) == [
        ("keeper", {"from": "available", "to": "quarantined", "reason": "包装破损待质检"}),
        ("keeper", {"from": "quarantined", "to": "available", "reason": "质检合格"})]


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_status_change_without_a_reason_is_refused(client, world, lot, reason):
    login(client, "keeper")
    page = text(client.post(f"/lots/{lot}/status", follow_redirects=True,
                            data={"status": "quarantined", "reason": reason}))
    assert "请填写原因" in page and '<span class="status available">' in page
    assert lot_statuses(lot) == []


def test_a_written_off_lot_offers_no_status_change(client, world, lot):
    stock.write_off(db.session, world.users["keeper"], lot=lot, reason="水浸")
    login(client, "keeper")
    assert f'action="/lots/{lot}/status"' not in text(client.get(f"/lots/{lot}"))


def test_an_unknown_lot_is_a_404(client, world, lot):
    login(client, "admin")
    with nothing_changes(db.session):
        assert_refused_page(client.post(f"/lots/{lot + 1}/status", headers=BROWSER, data={
            "status": "quarantined", "reason": "x"}), 404, "没有找到该页面")


def test_the_quarantine_form_in_english(client, world, lot):
    login(client, "keeper")
    client.get("/lang/en")
    page = text(client.get(f"/lots/{lot}"))
    assert "Quarantine" in page and "Reason" in page
    done = text(client.post(f"/lots/{lot}/status", follow_redirects=True,
                            data={"status": "quarantined", "reason": "damaged"}))
    assert "The lot is quarantined" in done and "Release" in done
    main = done.split("<main>")[1]
    for data in ("压缩饼干", "包", "县级救灾物资储备库"):  # data: item, unit, depot
        main = main.replace(data, "")
    assert HAN.findall(main) == []


@pytest.mark.parametrize("form", ["depot", "lot"])
def test_the_forms_refuse_a_post_without_csrf_token(app, client, world, lot, form):
    login(client, "admin")
    app.config["WTF_CSRF_ENABLED"] = True
    if form == "depot":
        response = client.post(EDIT, data={"handling_hours": "3"})
    else:
        response = client.post(f"/lots/{lot}/status", data={"status": "quarantined",
                                                             "reason": "待检"})
    assert response.status_code == 400
    assert county_depot().handling_hours == Decimal(1) and lot_statuses(lot) == []


def test_the_lot_page_shows_the_device_time_of_a_row_dated_on_arrival(client, world):
    from datetime import UTC, datetime, timedelta

    from inventory import clock
    admin = world.users["admin"]
    lot, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=9,
                           lot_code="LATE-1")
    phone_time = datetime.now(UTC) - timedelta(hours=3)
    [late] = stock.issue(db.session, admin, lot=lot.id, quantity=2, occurred_at=phone_time)
    assert late.device_at == phone_time and late.occurred_at > phone_time
    login(client, "keeper")
    page = text(client.get(f"/lots/{lot.id}"))
    assert f"设备时间 {clock.format_local(phone_time)}" in page
    assert page.count("设备时间") == 1  # the receipt was dated in order
