"""The transfer pages: the list and its filters, a transfer's page, ordering one by item with
lots proposed first-expiry-first-out, dispatch and cancel by the roles the API allows, and
refusals that explain themselves and change nothing."""

import re
from datetime import date, datetime, timedelta

import pytest
from factories import PASSWORD
from sqlalchemy import func, select

from inventory import clock
from inventory.db import db
from inventory.stock import services as stock
from inventory.stock.models import Lot, Movement
from inventory.transfers import services
from inventory.transfers.models import Transfer

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ROLES = ["admin", "bureau", "keeper", "keeper2", "planner", "auditor"]


def log_in(client, username):
    assert client.post("/login", data={"username": username,
                                       "password": PASSWORD}).status_code == 302


def receive(world, code, quantity, expires, item="FW-WATER-5L", depot="XZ-01"):
    user = world.users["keeper" if depot == "XZ-01" else "keeper2"]
    lot, _ = stock.receive(db.session, user, depot=depot, item=item, quantity=quantity,
                           lot_code=code, expires_on=expires)
    return lot


def draft(world, lines, user="bureau", source="XZ-01", target="TS-01", reason="汛前预置"):
    return services.create(db.session, world.users[user], from_depot=source, to_depot=target,
                           lines=lines, reason=reason)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def days(n: int) -> date:
    return clock.today() + timedelta(days=n)


@pytest.fixture
def lots(world):
    """Three lots of water at the county warehouse, received in another order than they expire."""
    return {"LATE": receive(world, "LATE", 10, days(800)),
            "EARLY": receive(world, "EARLY", 5, days(100)),
            "OLD": receive(world, "OLD", 4, days(400))}


def sources(response) -> list[str]:
    """The depots the form offers to send from."""
    select_ = re.search(r'<select name="from_depot".*?</select>', page(response), re.S)
    return re.findall(r'value="([^"]+)"', select_.group(0)) if select_ else []


def page(response) -> str:
    return response.get_data(as_text=True)


def main(response) -> str:
    return page(response).split("<main>", 1)[1]


def test_the_list_filters_by_status_depots_and_the_day_ordered(client, world, lots):
    first = draft(world, [{"lot": lots["LATE"].id, "quantity": 2}])
    second = draft(world, [{"lot": lots["EARLY"].id, "quantity": 1}])
    services.dispatch(db.session, world.users["keeper"], second.id)
    third = draft(world, [{"item": "FW-WATER-5L", "quantity": 1}], user="keeper2",
                  source="TS-01", target="VL-01")
    # Ordered on three different days (in the bureau's time zone).
    for transfer, day in [(first, 1), (second, 5), (third, 9)]:
        transfer.created_at = datetime(2026, 3, day, 0, 30, tzinfo=clock.TIMEZONE)
    db.session.commit()
    log_in(client, "planner")

    def numbers(query: str) -> list[str]:
        response = client.get(f"/transfers/?{query}")
        assert response.status_code == 200
        return re.findall(r'href="/transfers/(DB-[\d-]+)"', page(response))

    assert numbers("") == [third.number, second.number, first.number]
    assert numbers("status=dispatched") == [second.number]
    assert numbers("from_depot=XZ-01") == [second.number, first.number]
    assert numbers("to_depot=VL-01") == [third.number]
    assert numbers("since=2026-03-05") == [third.number, second.number]
    assert numbers("since=2026-03-01&until=2026-03-01") == [first.number]
    assert numbers("from_depot=XZ-01&status=draft&until=2026-03-08") == [first.number]


@pytest.mark.parametrize("query, status, message", [
    ("since=yesterday", 422, "日期格式"),
    ("status=lost", 422, "状态 lost 无效"),
    ("from_depot=NOPE", 404, "没有编号为 NOPE 的储备库"),
    ("since=2026-03-09&until=2026-03-01", 422, "结束日期早于开始日期"),
])
def test_a_bad_filter_is_explained_on_the_page(client, world, query, status, message):
    log_in(client, "auditor")
    response = client.get(f"/transfers/?{query}")
    assert response.status_code == status and message in page(response)


def test_the_list_pages_through_many_transfers(client, world, lots):
    for _ in range(52):
        draft(world, [{"lot": lots["LATE"].id, "quantity": 1}])
    log_in(client, "auditor")
    first = page(client.get("/transfers/?from_depot=XZ-01"))
    assert first.count('href="/transfers/DB-') == 50 and "第 1 / 2 页" in first
    second = page(client.get("/transfers/?from_depot=XZ-01&page=2"))
    assert second.count('href="/transfers/DB-') == 2 and "上一页" in second
    assert "from_depot=XZ-01" in second.split("上一页")[0].rsplit("<a", 1)[1]


@pytest.mark.parametrize("username", ROLES)
def test_everyone_logged_in_reads_the_list_a_transfer_and_its_order(client, world, lots,
                                                                    username):
    transfer = draft(world, [{"lot": lots["EARLY"].id, "quantity": 3}])
    log_in(client, username)
    assert transfer.number in page(client.get("/transfers/"))
    shown = client.get(f"/transfers/{transfer.number}")
    assert shown.status_code == 200 and "EARLY" in page(shown)
    pdf = client.get(f"/transfers/{transfer.number}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_the_pages_need_a_login(client, world, lots):
    transfer = draft(world, [{"lot": lots["EARLY"].id, "quantity": 3}])
    for path in ["/transfers/", "/transfers/new", f"/transfers/{transfer.number}",
                 f"/transfers/{transfer.number}.pdf"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    client.post(f"/transfers/{transfer.number}/cancel")
    db.session.expire_all()
    assert db.session.get(Transfer, transfer.id).status == "draft"


def test_an_unknown_transfer_is_a_page_that_says_so(client, world):
    log_in(client, "keeper")
    for path in ["/transfers/DB-2026-99999", "/transfers/DB-2026-99999.pdf"]:
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert "没有单号为 DB-2026-99999 的调拨单" in page(response)
    response = client.post("/transfers/DB-2026-99999/dispatch")
    assert response.status_code == 404 and "没有单号为" in page(response)


def test_lots_are_proposed_first_expiry_first_out_and_the_edited_draft_is_saved(client, world,
                                                                               lots):
    log_in(client, "bureau")
    proposed = client.post("/transfers/new", data={
        "from_depot": "XZ-01", "to_depot": "TS-01", "reason": "汛前预置",
        "item": ["FW-WATER-5L", ""], "quantity": ["12", ""], "action": "propose"})
    assert proposed.status_code == 200
    offered = re.findall(r'name="lot-(\d+)"[^>]*value="(\d+)"', page(proposed))
    # First to expire first: EARLY (all 5), then OLD (all 4), then 3 of LATE.
    assert offered == [(str(lots["EARLY"].id), "5"), (str(lots["OLD"].id), "4"),
                       (str(lots["LATE"].id), "3")]
    assert "申请 12 桶，调出库可用 19 桶" in page(proposed)
    assert count(Transfer) == 0  # a proposal writes nothing

    saved = client.post("/transfers/new", data={
        "from_depot": "XZ-01", "to_depot": "TS-01", "reason": "汛前预置",
        "reference": "应急〔2026〕7号",
        "item": "FW-WATER-5L", "quantity": "12", "action": "save",
        f"lot-{lots['EARLY'].id}": "5", f"lot-{lots['OLD'].id}": "0",
        f"lot-{lots['LATE'].id}": "7"})
    assert saved.status_code == 303
    [transfer] = db.session.scalars(select(Transfer)).all()
    assert saved.headers["Location"].endswith(f"/transfers/{transfer.number}")
    assert (transfer.status, transfer.reason, transfer.reference) == (
        "draft", "汛前预置", "应急〔2026〕7号")
    assert sorted((line.lot.code, line.quantity) for line in transfer.lines) == [
        ("EARLY", 5), ("LATE", 7)]
    shown = page(client.get(saved.headers["Location"]))
    assert f"已保存调拨单 {transfer.number}（草稿）" in shown and "草稿" in shown


def test_a_proposal_short_of_stock_says_how_much_is_missing(client, world, lots):
    quarantined = receive(world, "HELD", 50, days(50))
    stock.set_lot_status(db.session, world.users["keeper"], lot=quarantined.id,
                         status="quarantined", reason="待检")
    log_in(client, "keeper")
    proposed = page(client.post("/transfers/new", data={
        "from_depot": "XZ-01", "to_depot": "TS-01", "item": ["FW-WATER-5L", "SH-TENT-12"],
        "quantity": ["25", "2"], "action": "propose"}))
    assert "可用库存不足，还差 6 桶" in proposed
    assert "调出库没有此物资的可用批次" in proposed  # no tents at all
    assert f'name="lot-{quarantined.id}"' not in proposed  # a quarantined lot is never offered
    values = [int(v) for v in re.findall(r'name="lot-\d+"[^>]*value="(\d+)"', proposed)]
    assert sum(values) == 19


@pytest.mark.parametrize("form, status, message", [
    ({"item": "FW-WATER-5L", "quantity": "十二"}, 422, "第 1 行的数量须为正整数"),
    ({"item": "FW-WATER-5L", "quantity": "0"}, 422, "第 1 行的数量须为正整数"),
    ({"item": "", "quantity": "3"}, 422, "第 1 行未选物资"),
    ({"item": "NO-SUCH", "quantity": "3"}, 404, "物资目录中没有编号 NO-SUCH"),
    ({"item": "FW-WATER-5L", "quantity": "3", "lot-{EARLY}": "-1"}, 422, "不小于 0 的整数"),
    ({"item": "FW-WATER-5L", "quantity": "3", "lot-{EARLY}": "99999999999"}, 422,
     "不小于 0 的整数"),
    ({"item": "FW-WATER-5L", "quantity": "3", "lot-{EARLY}": "0"}, 422, "至少需要一行"),
    ({"item": "FW-WATER-5L", "quantity": "3", "lot-{EARLY}": "2", "to_depot": "XZ-01"}, 422,
     "调出库与调入库不能相同"),
    ({"item": "FW-WATER-5L", "quantity": "3", "lot-{EARLY}": "2", "to_depot": ""}, 422,
     "请选择调出库和调入库"),
    ({"item": "FW-WATER-5L", "quantity": "3", "lot-{EARLY}": "2", "reference": "号" * 101},
     422, "依据文号最多 100 字"),
    ({"item": "FW-WATER-5L", "quantity": "3", "lot-{TOWN}": "2"}, 422, "不在调出库"),
])
def test_a_refused_form_comes_back_as_typed_and_writes_nothing(client, world, lots, form,
                                                              status, message):
    town = receive(world, "TOWN", 5, days(300), depot="TS-01")
    ids = {"{EARLY}": str(lots["EARLY"].id), "{TOWN}": str(town.id)}
    data = {"from_depot": "XZ-01", "to_depot": "TS-01", "reason": "汛期调拨", "action": "save"}
    for name, value in form.items():
        for marker, lot_id in ids.items():
            name = name.replace(marker, lot_id)
        data[name] = value
    log_in(client, "bureau")
    response = client.post("/transfers/new", data=data)
    assert response.status_code == status and message in page(response)
    assert 'value="汛期调拨"' in page(response)  # what was typed stays
    assert count(Transfer) == 0


@pytest.mark.parametrize("username, may", [
    ("admin", True), ("bureau", True), ("keeper", True), ("keeper2", False),
    ("planner", False), ("auditor", False)])
def test_who_may_order_a_transfer_out_of_the_county_warehouse(client, world, lots, username,
                                                              may):
    log_in(client, username)
    listed = page(client.get("/transfers/"))
    form = client.get("/transfers/new")
    saved = client.post("/transfers/new", data={
        "from_depot": "XZ-01", "to_depot": "TS-01", "item": "FW-WATER-5L", "quantity": "2",
        f"lot-{lots['EARLY'].id}": "2", "action": "save"})
    if may:
        assert form.status_code == 200 and "XZ-01" in sources(form)
        assert saved.status_code == 303 and count(Transfer) == 1
    else:
        assert saved.status_code == 403 and count(Transfer) == 0
        assert "XZ-01" not in sources(form)
    if username in ("planner", "auditor"):  # no depot to order from at all
        assert form.status_code == 403 and "无权开具调拨单" in page(form)
        assert "新建调拨单" not in listed
    else:
        assert "新建调拨单" in listed


@pytest.mark.parametrize("username, may", [
    ("admin", True), ("keeper", True), ("bureau", False), ("keeper2", False),
    ("planner", False), ("auditor", False)])
def test_who_may_dispatch_mirrors_the_api(client, world, lots, username, may):
    """Goods leave a depot by the hand of its keeper or an admin, as POST …/dispatch allows."""
    transfer = draft(world, [{"item": "FW-WATER-5L", "quantity": 8}])
    log_in(client, username)
    shown = page(client.get(f"/transfers/{transfer.number}"))
    assert ('name="dispatch"' in shown) == may
    response = client.post(f"/transfers/{transfer.number}/dispatch")
    db.session.expire_all()
    if may:
        assert response.status_code == 303
        after = page(client.get(response.headers["Location"]))
        assert "已发出：物资在途" in after and "调拨出库" in after
        assert [(line.lot.code, line.quantity)
                for line in db.session.get(Transfer, transfer.id).lines] == [
            ("EARLY", 5), ("OLD", 3)]
    else:
        assert response.status_code == 403 and "无权" in page(response)
        assert db.session.get(Transfer, transfer.id).status == "draft"
        assert count(Movement) == 3  # the three receipts only


@pytest.mark.parametrize("username, may", [
    ("admin", True), ("bureau", True), ("keeper", True), ("keeper2", False),
    ("planner", False), ("auditor", False)])
def test_who_may_cancel_a_draft(client, world, lots, username, may):
    transfer = draft(world, [{"item": "FW-WATER-5L", "quantity": 1}])
    log_in(client, username)
    assert ('name="cancel"' in page(client.get(f"/transfers/{transfer.number}"))) == may
    response = client.post(f"/transfers/{transfer.number}/cancel")
    db.session.expire_all()
    assert db.session.get(Transfer, transfer.id).status == ("cancelled" if may else "draft")
    assert response.status_code == (303 if may else 403)


def test_a_dispatch_short_of_stock_is_refused_with_the_reason_and_changes_nothing(client, world,
                                                                                  lots):
    transfer = draft(world, [{"item": "FW-WATER-5L", "quantity": 30}])
    log_in(client, "keeper")
    response = client.post(f"/transfers/{transfer.number}/dispatch")
    assert response.status_code == 409
    assert "库存不足：桶装饮用水 5L（FW-WATER-5L） 可用 19，申请 30" in page(response)
    db.session.expire_all()
    assert db.session.get(Transfer, transfer.id).status == "draft"
    assert db.session.get(Lot, lots["EARLY"].id).quantity == 5 and count(Movement) == 3


def test_a_transfer_cannot_be_dispatched_twice_nor_cancelled_once_sent(client, world, lots):
    transfer = draft(world, [{"lot": lots["LATE"].id, "quantity": 4}])
    log_in(client, "keeper")
    assert client.post(f"/transfers/{transfer.number}/dispatch").status_code == 303
    again = client.post(f"/transfers/{transfer.number}/dispatch")
    assert again.status_code == 409 and "不能发出" in page(again)
    cancelled = client.post(f"/transfers/{transfer.number}/cancel")
    assert cancelled.status_code == 409 and "只有草稿调拨单可以取消" in page(cancelled)
    assert count(Movement) == 4


def test_a_received_transfer_shows_sent_received_and_the_difference(client, world, lots):
    transfer = draft(world, [{"lot": lots["LATE"].id, "quantity": 6}])
    services.dispatch(db.session, world.users["keeper"], transfer.id)
    services.receive(db.session, world.users["keeper2"], transfer.id,
                     lines=[{"lot": lots["LATE"].id, "quantity": 4}])
    log_in(client, "auditor")
    shown = main(client.get(f"/transfers/{transfer.number}"))
    assert "已接收" in shown and "合计发出 6" in shown and "实收 4" in shown
    assert "差异 2" in shown
    [received] = db.session.scalars(select(Lot).where(Lot.depot_id == world.depots["TS-01"].id))
    assert f'href="/lots/{received.id}"' in shown
    kinds = re.findall(r"<td>(调拨出库|调拨入库)</td>", shown)
    assert kinds == ["调拨出库", "调拨入库"]


def test_transfer_numbers_link_to_their_page_from_the_depot_and_the_ledger(client, world, lots):
    transfer = draft(world, [{"lot": lots["LATE"].id, "quantity": 2}])
    services.dispatch(db.session, world.users["keeper"], transfer.id)
    log_in(client, "keeper2")
    link = f'href="/transfers/{transfer.number}"'
    depot = page(client.get("/depots/TS-01"))
    assert link in depot  # in the incoming list
    lot_page = page(client.get(f"/lots/{lots['LATE'].id}"))
    assert link in lot_page  # on the transfer_out ledger row
    assert 'href="/transfers/"' in page(client.get("/"))  # in the menu


def test_the_pages_speak_english(client, world, lots):
    transfer = draft(world, [{"lot": lots["LATE"].id, "quantity": 2}])
    services.dispatch(db.session, world.users["keeper"], transfer.id)
    log_in(client, "keeper")
    client.get("/lang/en")
    data_values = ["县级救灾物资储备库", "凤城镇储备点", "东关村储备点", "桶装饮用水 5L",
                   "12平方米单帐篷", "压缩饼干", "汛前预置", "桶", "顶", "包", "储备点 ",
                   "（", "）"]

    def english(response) -> str:
        text = main(response)
        for value in data_values:
            text = text.replace(value, "")
        assert HAN.findall(text) == [], HAN.findall(text)
        return text

    listed = english(client.get("/transfers/"))
    assert "New transfer order" in listed and "Filter" in listed
    shown = english(client.get(f"/transfers/{transfer.number}"))
    assert "Print the transfer order (A4)" in shown and "In transit" in shown
    proposed = english(client.post("/transfers/new", data={
        "from_depot": "XZ-01", "to_depot": "TS-01", "item": "FW-WATER-5L", "quantity": "30",
        "action": "propose"}))
    assert "Proposed lots (you may change them)" in proposed and "short by 13" in proposed
    refused = english(client.post(f"/transfers/{transfer.number}/dispatch"))
    assert "not a draft" in refused


@pytest.mark.parametrize("method, path, data", [
    ("get", "/transfers/DB-2026%00", None),
    ("get", "/transfers/DB-2026%00.pdf", None),
    ("get", "/transfers/?from_depot=XZ%00", None),
    ("post", "/transfers/DB-2026%00/dispatch", None),
    ("post", "/transfers/new", {"reason": "汛期\x00", "item": "FW-WATER-5L", "quantity": "1"}),
    ("get", "/documents/receipt.pdf?depot=XZ-01&reference=CG%00", None),
])
def test_control_characters_are_refused_before_they_reach_the_database(client, world, method,
                                                                         path, data):
    log_in(client, "admin")
    form = None if data is None else {"from_depot": "XZ-01", "to_depot": "TS-01",
                                      "action": "save", **data}
    response = getattr(client, method)(path, data=form)
    assert response.status_code == 422 and "控制字符" in page(response)
    assert count(Transfer) == 0


def test_numbers_too_long_to_read_are_refused_or_ignored(client, world, lots):
    log_in(client, "admin")
    assert client.get("/transfers/?page=" + "9" * 5000).status_code == 200
    proposed = client.post("/transfers/new", data={
        "from_depot": "XZ-01", "to_depot": "TS-01", "item": "FW-WATER-5L",
        "quantity": "9" * 5000, "action": "propose"})
    assert proposed.status_code == 422 and "数量须为正整数" in page(proposed)
    saved = client.post("/transfers/new", data={
        "from_depot": "XZ-01", "to_depot": "TS-01", "item": "FW-WATER-5L", "quantity": "1",
        "lot-" + "9" * 5000: "1", f"lot-{lots['EARLY'].id}": "9" * 5000, "action": "save"})
    assert saved.status_code == 422 and count(Transfer) == 0
