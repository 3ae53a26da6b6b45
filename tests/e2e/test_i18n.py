"""Languages of the pages: Chinese first, English on request, and an English catalogue kept
whole."""

import re

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from factories import PASSWORD

from inventory.base import ROOT
from inventory.db import db
from inventory.labels import payload
from inventory.stock import services

CATALOGUE = ROOT / "inventory" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def login(client, username="keeper", password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def nav(page: str) -> str:
    return re.search(r"<nav>(.*?)</nav>", page, re.S).group(1)


def read_catalogue(path):
    with open(path, "rb") as source:
        return read_po(source)


@pytest.fixture
def lot(world):
    lot, _ = services.receive(db.session, world.users["keeper"], depot="XZ-01",
                              item="SH-TENT-12", quantity=40, lot_code="T-2026-01",
                              reference="RK-2026-0001")
    return lot


def test_pages_are_chinese_even_when_the_browser_asks_for_english(client, world, lot):
    login(client)
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "储备网络" in page and "县级" in page and "库管员" in page
    assert 'href="/lang/en"' in page and ">English</a>" in page and "/lang/zh_CN" not in page


def test_switching_to_english_sets_a_cookie_and_returns_to_the_page(client, world):
    login(client)
    response = client.get("/lang/en", headers={"Referer": "http://localhost/depots/XZ-01"})
    assert response.status_code == 302
    assert response.headers["Location"] == "http://localhost/depots/XZ-01"
    assert client.get_cookie("lang").value == "en"


def test_in_english_the_overview_depot_and_lot_pages_are_translated(client, world, lot):
    login(client)
    client.get("/lang/en")
    overview = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in overview
    assert "Reserve network" in overview and "County (1)" in overview
    assert "Government depot" in overview and "Lots expiring within 90 days" in overview
    assert "储备网络" not in overview and "政府储备库" not in overview
    menu = nav(overview)
    assert "Depots" in menu and "Log out" in menu and "keeper (Keeper)" in menu
    assert HAN.findall(menu.replace(">中文</a>", "")) == []
    assert 'href="/lang/zh_CN"' in menu and "/lang/en" not in menu

    depot = client.get("/depots/XZ-01").get_data(as_text=True)
    assert ("Stock by item" in depot and "Lots in stock" in depot
            and "Recent ledger entries" in depot)
    assert "Available" in depot and "Purchase" in depot and "Receipt" in depot
    assert "12平方米单帐篷" in depot  # data stays as entered
    assert "在库批次" not in depot and "最近台账" not in depot

    page = client.get(f"/lots/{lot.id}").get_data(as_text=True)
    assert "Lot T-2026-01" in page and "Full ledger" in page and "Quantity on hand" in page
    assert "Receipt" in page and "RK-2026-0001" in page and "+40" in page
    assert "全程台账" not in page and "入库" not in page


def test_switching_back_to_chinese(client, world, lot):
    login(client)
    client.get("/lang/en")
    client.get("/lang/zh_CN")
    assert client.get_cookie("lang").value == "zh_CN"
    page = client.get(f"/lots/{lot.id}").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "全程台账" in page and "Full ledger" not in page


def test_the_lang_parameter_chooses_the_language_of_one_page(client, world):
    login(client)
    assert "Reserve network" in client.get("/?lang=en").get_data(as_text=True)
    assert "储备网络" in client.get("/").get_data(as_text=True)


def test_an_unknown_language_is_ignored(client, world):
    login(client)
    response = client.get("/lang/xx")
    assert response.status_code == 302 and client.get_cookie("lang") is None
    assert "储备网络" in client.get("/?lang=xx").get_data(as_text=True)


def test_flashed_messages_follow_the_language(client, world):
    client.get("/lang/en")
    asked = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Please log in first." in asked
    refused = login(client, password="wrong").get_data(as_text=True)
    assert "Wrong username or password." in refused and "Log in" in refused


def test_a_forged_label_is_explained_in_english(app, client, world):
    login(client)
    client.get("/lang/en")
    genuine = payload.sign("lot", 1, app.config["LABEL_SECRET"])
    page = client.get("/q/" + genuine.replace("L-1-", "L-2-")).get_data(as_text=True)
    assert "Invalid label" in page and "Back to the depot list" in page
    assert HAN.findall(page.split("<main>")[1]) == []


def test_every_message_of_the_english_catalogue_is_translated():
    catalogue = read_catalogue(CATALOGUE)
    untranslated = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_the_english_catalogue_holds_every_string_the_code_marks(tmp_path):
    """A Chinese string added to a template or marked with N_ needs its English here."""
    extracted = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "-k", "N_", "-k", "_l", "-o", str(extracted), str(ROOT)])
    catalogue = read_catalogue(CATALOGUE)
    missing = [(m.context, m.id) for m in read_catalogue(extracted)
               if m.id and catalogue.get(m.id, context=m.context) is None]
    assert missing == [], "run pybabel extract and update (see babel.cfg), then translate"


def test_field_messages_of_api_errors_follow_the_language(client, world, lot):
    body = {"lot": lot.id, "quantity": 41, "reason": "安置"}
    chinese = client.post("/api/v1/issues", json=body, headers=world.headers("keeper"))
    assert chinese.status_code == 409 and chinese.json["errors"]["quantity"] == ["最多 40"]
    english = client.post("/api/v1/issues", json=body,
                          headers=world.headers("keeper", **{"Accept-Language": "en"}))
    assert english.json["errors"]["quantity"] == ["at most 40"]
    missing = client.post("/api/v1/issues", json={"lot": lot.id},
                          headers=world.headers("keeper"))
    assert missing.status_code == 422 and missing.json["errors"]["quantity"] == ["此项必填。"]
