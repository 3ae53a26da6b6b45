"""Web pages: login with sessions, the depot overview, a depot and a lot, the API docs."""

from checks import BROWSER, assert_refused_page
from factories import PASSWORD

from inventory.db import db
from inventory.stock import services


def login(client, username="keeper", password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def test_pages_need_a_login(client, world):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_wrong_password_is_refused_with_a_message(client, world):
    response = login(client, password="wrong")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_a_keeper_logs_in_and_sees_depots_stock_and_the_lot_ledger(client, world):
    lot, _ = services.receive(db.session, world.users["keeper"], depot="XZ-01",
                              item="SH-TENT-12", quantity=40, lot_code="T-2026-01",
                              reference="RK-2026-0001")
    assert login(client).status_code == 302
    overview = client.get("/").get_data(as_text=True)
    assert "县级救灾物资储备库" in overview and "乡镇" in overview
    depot = client.get("/depots/XZ-01").get_data(as_text=True)
    assert "T-2026-01" in depot and "12平方米单帐篷" in depot
    page = client.get(f"/lots/{lot.id}").get_data(as_text=True)
    assert "入库" in page and "RK-2026-0001" in page and "+40" in page


def test_the_lot_page_shows_who_quarantined_it_and_why(client, world):
    lot, _ = services.receive(db.session, world.users["keeper"], depot="XZ-01",
                              item="FW-BISCUIT", quantity=10)
    services.set_lot_status(db.session, world.users["keeper"], lot=lot.id,
                            status="quarantined", reason="包装破损待检")
    login(client)
    page = client.get(f"/lots/{lot.id}").get_data(as_text=True)
    assert "状态变更" in page and "包装破损待检" in page and "可用 → 待检/封存" in page


def test_an_unknown_depot_is_a_404(client, world):
    login(client)
    assert_refused_page(client.get("/depots/NOPE", headers=BROWSER), 404, "没有找到该页面")


def test_logging_out_ends_the_session(client, world):
    login(client)
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_the_login_form_refuses_a_post_without_csrf_token(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    response = browser.post("/login", headers=BROWSER,
                            data={"username": "keeper", "password": PASSWORD})
    assert_refused_page(response, 400, "请求有误")
    assert "/login" in browser.get("/").headers["Location"]  # not logged in


def test_the_api_docs_page_uses_the_packaged_swagger_ui(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/vendor/swagger-ui-dist/" in page


def test_the_depot_page_sums_by_item_lists_expiring_lots_bins_and_the_last_count(client, world):
    from datetime import timedelta

    from inventory import clock
    from inventory.geo.models import Bin
    from inventory.stocktake import services as stocktakes

    shelf = Bin(depot_id=world.depots["XZ-01"].id, code="B-02", name="二号货架")
    db.session.add(shelf)
    db.session.commit()
    keeper = world.users["keeper"]
    soon = (clock.today() + timedelta(days=20)).isoformat()
    services.receive(db.session, keeper, depot="XZ-01", item="FW-WATER-5L", quantity=30,
                     lot_code="W-SOON", expires_on=clock.today() + timedelta(days=20))
    services.receive(db.session, keeper, depot="XZ-01", item="FW-WATER-5L", quantity=12,
                     lot_code="W-LATER", bin="B-02")
    login(client)
    page = client.get("/depots/XZ-01").get_data(as_text=True)
    assert "从未盘点" in page
    assert "库存汇总" in page and ">42<" in page  # 30 + 12 drums of water
    assert "即将到期" in page and soon in page
    assert 'name="lot"' in page  # lots can be selected for printing
    stocktakes.start(db.session, keeper, depot="XZ-01")
    page = client.get("/depots/XZ-01").get_data(as_text=True)
    assert "PD-" in page and "盘点中" in page
    shelf_page = client.get("/depots/XZ-01?bin=B-02").get_data(as_text=True)
    assert "W-LATER" in shelf_page and ">12<" in shelf_page and ">42<" not in shelf_page
    assert "即将到期" not in shelf_page  # the lot expiring soon is on another shelf
    assert client.get("/depots/XZ-01?bin=NOPE").status_code == 404


def test_the_bureau_approves_a_submitted_count_on_its_page(client, world):
    from inventory.stock.models import Movement
    from inventory.stocktake import services as stocktakes

    keeper = world.users["keeper"]
    lot, _ = services.receive(db.session, keeper, depot="XZ-01", item="SH-TENT-12",
                              quantity=20, lot_code="APP-1")
    other, _ = services.receive(db.session, keeper, depot="XZ-01", item="FW-BISCUIT",
                                quantity=5, lot_code="APP-2")
    count = stocktakes.start(db.session, keeper, depot="XZ-01")
    stocktakes.count(db.session, keeper, count.id, lot=lot.id, counted=18)
    stocktakes.submit(db.session, keeper, count.id)
    # The keeper sees it but cannot decide.
    login(client)
    page = client.get(f"/stocktakes/{count.id}").get_data(as_text=True)
    assert "APP-1" in page and "-2" in page and "APP-2" in page  # variance and the uncounted lot
    assert 'value="approve"' not in page
    refused = client.post(f"/stocktakes/{count.id}/decision", data={"decision": "approve"},
                          follow_redirects=True)
    assert "无权" in refused.get_data(as_text=True)
    client.post("/logout")
    login(client, "bureau")
    listing = client.get("/stocktakes/").get_data(as_text=True)
    assert count.number in listing and "待审批" in listing
    back = client.post(f"/stocktakes/{count.id}/decision", data={"decision": "reject"},
                       follow_redirects=True)
    assert "须填写" in back.get_data(as_text=True) or "原因" in back.get_data(as_text=True)
    done = client.post(f"/stocktakes/{count.id}/decision",
                       data={"decision": "approve", "note": "同意"}, follow_redirects=True)
    assert "写入 1 条盘点调整" in done.get_data(as_text=True)
    db.session.expire_all()
    adjustment = db.session.query(Movement).filter_by(kind="adjustment").one()
    assert (adjustment.lot_id, adjustment.quantity) == (lot.id, -2)


def test_a_browser_asking_for_a_missing_page_gets_a_page_and_a_client_gets_json(client, world):
    login(client)
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = client.get("/lots/999999", headers=browser)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "没有找到该页面" in page.get_data(as_text=True)
    data = client.get("/lots/999999")
    assert data.status_code == 404 and data.json["code"] == "not_found"
    told = client.get("/labels.pdf?depot=XZ-99", headers=browser)
    assert told.status_code == 404 and "XZ-99" in told.get_data(as_text=True)


def test_browsers_find_the_icon_and_the_api_reference_leads_back_to_the_app(client, world):
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    login(client)
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert 'href="/"' in docs and "swagger-ui-bundle.js" in docs and "<script>" not in docs
    with client.get("/static/api-docs.js") as script:
        assert script.status_code == 200
