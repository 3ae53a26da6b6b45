"""The readiness dashboard: targets by tier, coverage, limiting items, then one target."""

from factories import PASSWORD
from test_api_adequacy import county  # noqa: F401  (the hand-computed county)


def log_in(client, username="bureau"):
    client.post("/login", data={"username": username, "password": PASSWORD})


def test_the_dashboard_shows_each_target_with_its_coverage_and_limit(client, world, county):  # noqa: F811
    log_in(client)
    page = client.get("/readiness/").get_data(as_text=True)
    assert "凤城镇安置" in page and "凤城镇" in page
    assert ">61<" in page  # people fully supplied
    assert "61%" in page and "cover-bad" in page  # 61 of 100
    assert "桶装饮用水 5L" in page  # the limiting item
    assert "<svg" in page and "30 天内到期批次：1" in page


def test_a_target_page_lists_items_with_their_sources_and_links_to_depots(client, world, county):  # noqa: F811
    log_in(client)
    page = client.get(f"/readiness/targets/{county}").get_data(as_text=True)
    assert 'href="/depots/XZ-01?item=SH-TENT-12"' in page and "XY-T" in page
    assert "凤城桶装水厂" in page
    assert f"/api/v1/adequacy.xlsx?target={county}" in page
    assert client.get(f"/api/v1/adequacy.xlsx?target={county}").status_code == 200


def test_the_dashboard_speaks_english_when_asked(client, world, county):  # noqa: F811
    log_in(client)
    client.get("/lang/en")
    page = client.get("/readiness/").get_data(as_text=True)
    assert "Targets" in page and "Readiness" in page


def test_the_depot_network_page_names_the_reserves_that_are_not_on_the_shelf(client, world, county):  # noqa: F811
    log_in(client, "keeper")
    page = client.get("/").get_data(as_text=True)
    # XY-W and XY-T still commit goods; XY-OLD has lapsed. One bottling plant.
    assert "另有协议储备 2 份、产能储备 1 家企业可调用" in page and "off-shelf" in page
    client.get("/lang/en")
    page = client.get("/").get_data(as_text=True)
    assert "2 contract reserves and 1 firms' production capacity" in page


def test_the_dashboard_needs_a_login(client, world):
    response = client.get("/readiness/")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_the_reserves_overview_shows_contract_and_capacity_beside_the_shelf(client, world, county):  # noqa: F811
    from io import BytesIO

    from openpyxl import load_workbook

    log_in(client)
    page = client.get("/readiness/stock").get_data(as_text=True)
    assert "协议储备（不在库）" in page and "off-shelf" in page
    sheet = load_workbook(BytesIO(client.get("/readiness/stock.xlsx").data)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    # tents: 232 held, 7 of them quarantined; 4 committed (the lapsed agreement does not count)
    assert rows["SH-TENT-12"][4:8] == (232, 225, 4, 0)
    # water: 150 held, 200 left on the agreement, 60 from the plant
    assert rows["FW-WATER-5L"][4:8] == (150, 150, 200, 60)


def test_the_drill_down_goes_from_a_target_item_to_its_lots_at_a_depot_and_their_ledger(
        client, world, county):  # noqa: F811
    log_in(client)
    depot = client.get("/depots/XZ-01?item=SH-TENT-12").get_data(as_text=True)
    assert "T-1" in depot and "W-LATER" not in depot  # only the tent lots
    lot_id = depot.split('href="/lots/')[1].split('"')[0]
    ledger = client.get(f"/lots/{lot_id}").get_data(as_text=True)
    assert "T-1" in ledger and "入库" in ledger
    assert client.get("/depots/XZ-01?item=NO-SUCH").status_code == 404


def test_the_bureau_sets_and_ends_targets_and_minimums_on_the_dashboard(client, world):
    from sqlalchemy import select

    from inventory.db import db
    from inventory.readiness.models import StockMinimum, Target

    log_in(client)
    page = client.post("/readiness/targets", data={
        "name": "凤城镇安置 300 人", "area": "140522100", "people": "300",
        "deadline_hours": "6", "season": "winter", "target_date": ""}, follow_redirects=True)
    assert "保障目标已设定" in page.get_data(as_text=True)
    [target] = db.session.scalars(select(Target)).all()
    assert (target.people, float(target.deadline_hours), target.season) == (300, 6.0, "winter")
    refused = client.post("/readiness/targets", data={
        "name": "x", "area": "140522100", "people": "三百", "deadline_hours": "6"},
        follow_redirects=True)
    assert "三百" in refused.get_data(as_text=True)
    client.post("/readiness/minimums", data={"level": "township", "people": "20", "item": ""})
    client.post("/readiness/minimums", data={"level": "county", "people": "",
                                             "item": "SH-TENT-12", "quantity": "50"})
    page = client.get("/readiness/").get_data(as_text=True)
    assert "每处保障 20 人" in page and "每处 12平方米单帐篷 50 顶" in page
    assert len(db.session.scalars(select(Target)).all()) == 1
    minimum = db.session.scalars(select(StockMinimum).where(StockMinimum.level == "county")).one()
    client.post(f"/readiness/minimums/{minimum.id}/end")
    client.post(f"/readiness/targets/{target.id}/end")
    db.session.expire_all()
    assert not minimum.active and not target.active
    page = client.get("/readiness/").get_data(as_text=True)
    assert "每处 12平方米单帐篷 50 顶" not in page and "凤城镇安置 300 人" not in page


def test_a_keeper_cannot_set_targets_and_sees_no_forms(client, world):
    from sqlalchemy import select

    from inventory.db import db
    from inventory.readiness.models import Target

    log_in(client, "keeper")
    assert "readiness/targets\"" not in client.get("/readiness/").get_data(as_text=True)
    page = client.post("/readiness/targets", data={"name": "x", "area": "140522100",
                                                    "people": "10", "deadline_hours": "6"},
                       follow_redirects=True)
    assert "flash error" in page.get_data(as_text=True)
    assert db.session.scalars(select(Target)).all() == []


def test_the_bureau_edits_a_norm_on_its_page_and_a_bad_figure_changes_nothing(client, world,
                                                                           county):  # noqa: F811
    import io

    from openpyxl import load_workbook
    from sqlalchemy import select

    from inventory.catalogue.models import Item
    from inventory.db import db
    from inventory.readiness.models import Norm

    log_in(client)
    page = client.get("/readiness/norms").get_data(as_text=True)
    assert "12平方米单帐篷" in page and 'value="0.292"' in page
    water = select(Norm).join(Item).where(Item.code == "FW-WATER-5L")
    client.post("/readiness/norms", data={"item": "FW-WATER-5L", "season": "all",
                                          "per_person": "2.4", "duration_hours": "72",
                                          "basis": "每人每天 4 L，72 小时"})
    assert float(db.session.scalars(water).one().per_person) == 2.4
    bad = client.post("/readiness/norms", data={"item": "FW-WATER-5L", "season": "all",
                                                "per_person": "-1", "duration_hours": "72"},
                      follow_redirects=True)
    assert "flash error" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert float(db.session.scalars(water).one().per_person) == 2.4
    # the target now needs ⌈100 × 2.4⌉ = 240 water
    items = {i["item"]: i for i in client.get(f"/api/v1/adequacy?target={county}").json["items"]}
    assert items["FW-WATER-5L"]["required"] == 240
    book = load_workbook(io.BytesIO(client.get("/readiness/norms.xlsx").data))
    assert ("FW-WATER-5L", "桶装饮用水 5L", "桶", "全年", 2.4) in {
        row[:5] for row in book["人均标准"].iter_rows(min_row=2, values_only=True)}
    log_in(client, "keeper")
    assert 'name="per_person"' not in client.get("/readiness/norms").get_data(as_text=True)
