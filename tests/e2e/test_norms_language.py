"""The norms' basis is shown in the page's language: the shared file's English, and Chinese."""

from factories import PASSWORD

from inventory.db import db
from inventory.readiness import services as readiness


def test_the_norms_page_gives_the_basis_in_the_pages_language(client, world):
    rows = [row for row in readiness.read_norms() if row.item_code in world.items]
    readiness.load_norms(db.session, rows)
    assert all(row.basis_zh for row in rows)
    client.post("/login", data={"username": "auditor", "password": PASSWORD})
    chinese = client.get("/readiness/norms").get_data(as_text=True)
    assert "<td>每人每天 3 升饮用水" in chinese and "3 L drinking water" not in chinese
    client.get("/lang/en")
    english = client.get("/readiness/norms").get_data(as_text=True)
    assert "<td>3 L drinking water per person" in english and "每人每天 3 升" not in english
    client.post("/logout")
    client.post("/login", data={"username": "bureau", "password": PASSWORD})
    editing = client.get("/readiness/norms").get_data(as_text=True)  # English still chosen
    assert 'name="basis" value="3 L drinking water' in editing


def test_a_basis_set_in_chinese_keeps_the_english_one(client, world):
    readiness.set_norm(db.session, world.users["bureau"], item="FW-BISCUIT", per_person=1,
                      basis="one ration per day")
    norm = readiness.set_norm(db.session, world.users["bureau"], item="FW-BISCUIT",
                             per_person=1, basis="one ration per day", basis_zh="每人每天一份")
    assert norm.basis_in("zh_CN") == "每人每天一份" and norm.basis_in("en") == "one ration per day"
    answer = client.get("/api/v1/norms", headers=world.headers("auditor")).json
    assert answer[0]["basis_zh"] == "每人每天一份"
