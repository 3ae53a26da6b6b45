"""QR labels end to end: the PDF sheets read back (pages, text, decodable QR codes) and the
/q/<payload> entry point a phone camera opens."""

import io

import pypdfium2
import pytest
import zxingcpp
from checks import BROWSER, assert_refused_page
from factories import PASSWORD
from pypdf import PdfReader

from inventory.db import db
from inventory.geo.models import Bin
from inventory.labels import payload
from inventory.labels.pdf import Label, render
from inventory.stock import services


def login(client, username="keeper"):
    assert client.post("/login", data={"username": username,
                                       "password": PASSWORD}).status_code == 302


def decode_page(pdf: bytes, page: int = 0) -> list[str]:
    """Render a PDF page at 200 dpi and decode every QR code on it."""
    document = pypdfium2.PdfDocument(pdf)
    image = document[page].render(scale=200 / 72).to_pil()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def labels(n: int) -> list[Label]:
    return [Label(url=f"https://reserves.example.cn/q/L-{i}-TESTTESTTEST", title="12平方米单帐篷",
                  kind="批次",
                  lines=[f"批次号 T-{i:03d}", "有效期至 2028-05-01", "县级救灾物资储备库"])
            for i in range(1, n + 1)]


@pytest.mark.parametrize("count, pages", [(1, 1), (24, 1), (25, 2), (49, 3)])
def test_a_sheet_holds_24_labels_per_a4_page(count, pages):
    reader = PdfReader(io.BytesIO(render(labels(count))))
    assert len(reader.pages) == pages
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_every_label_on_a_sheet_decodes_to_its_url_and_shows_its_text():
    pdf = render(labels(30))
    first = sorted(decode_page(pdf, 0))
    assert first == sorted(f"https://reserves.example.cn/q/L-{i}-TESTTESTTEST"
                           for i in range(1, 25))
    assert len(decode_page(pdf, 1)) == 6
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "12平方米单帐篷" in text and "T-024" in text and "县级救灾物资储备库" in text


def test_a_pallet_label_fills_its_page():
    pdf = render(labels(2), "pallet")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert decode_page(pdf, 1) == ["https://reserves.example.cn/q/L-2-TESTTESTTEST"]


def test_a_lots_label_sheet_carries_its_signed_address(app, client, world):
    lot, _ = services.receive(db.session, world.users["keeper"], depot="XZ-01",
                              item="FW-WATER-5L", quantity=40, lot_code="W-2026-07",
                              expires_on=None, manufactured_on=None)
    login(client)
    response = client.get(f"/labels.pdf?lot={lot.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [url] = decode_page(response.data)
    assert url.startswith("http://localhost/q/L-")
    code = url.rsplit("/q/", 1)[1]
    assert payload.parse(code, app.config["LABEL_SECRET"]) == payload.Target("lot", lot.id)
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "桶装饮用水" in text and "W-2026-07" in text and "有效期至" in text
    # The phone camera opens the URL: a logged-in user lands on the lot's page.
    opened = client.get(f"/q/{code}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/lots/{lot.id}")


def test_depot_and_bin_labels_lead_to_the_depot(app, client, world):
    bin_ = Bin(depot_id=world.depots["XZ-01"].id, code="A-01-02", name="一号货架二层")
    db.session.add(bin_)
    db.session.commit()
    login(client, "auditor")
    secret = app.config["LABEL_SECRET"]
    depot_code = payload.sign("depot", world.depots["XZ-01"].id, secret)
    assert client.get(f"/q/{depot_code}").headers["Location"].endswith("/depots/XZ-01")
    bin_code = payload.sign("bin", bin_.id, secret)
    assert client.get(f"/q/{bin_code}").headers["Location"].endswith(
        "/depots/XZ-01?bin=A-01-02")
    sheet = client.get(f"/labels.pdf?depot=XZ-01&bin={bin_.id}")
    assert len(decode_page(sheet.data)) == 2


def test_a_forged_or_foreign_label_shows_a_clear_message(app, client, world):
    login(client)
    genuine = payload.sign("lot", 1, app.config["LABEL_SECRET"])
    forged = client.get("/q/" + genuine.replace("L-1-", "L-2-"))
    assert forged.status_code == 422 and "伪造" in forged.get_data(as_text=True)
    foreign = client.get("/q/" + payload.sign("lot", 1, "someone else's secret"))
    assert foreign.status_code == 422 and "其他系统" in foreign.get_data(as_text=True)
    gone = client.get("/q/" + payload.sign("lot", 999, app.config["LABEL_SECRET"]))
    assert gone.status_code == 404


def test_opening_a_label_needs_a_login_and_comes_back_after_it(app, client, world):
    code = payload.sign("depot", world.depots["XZ-01"].id, app.config["LABEL_SECRET"])
    response = client.get(f"/q/{code}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "next=" in response.headers["Location"]


def test_label_sheet_input_errors(app, client, world):
    lot, _ = services.receive(db.session, world.users["keeper"], depot="XZ-01",
                              item="SH-TENT-12", quantity=3, lot_code="T-1")
    login(client)
    # each refused selection holds a real lot too: one bad part refuses the whole sheet
    for query, status, says in [
            (f"lot={lot.id}&lot=abc", 400, "lot 须为编号"),
            (f"lot={lot.id}&layout=poster", 400, "layout 须为 sheet 或 pallet"),
            (f"lot={lot.id}&depot=NOPE", 404, "没有编码为 NOPE 的储备库"),
            (f"lot={lot.id + 1}", 404, "没有找到要打印的对象")]:
        assert_refused_page(client.get(f"/labels.pdf?{query}", headers=BROWSER), status, says)


def test_an_api_client_fetches_the_label_sheet_its_lot_label_link_names(app, client, world):
    from factories import make_world  # noqa: F401  (world comes from the fixture)

    lot, _ = services.receive(db.session, world.users["keeper"], depot="XZ-01",
                              item="SH-TENT-12", quantity=3, lot_code="T-API")
    links = client.get(f"/api/v1/lots/{lot.id}/label", headers=world.headers("keeper")).json
    for link in (links["pdf"], links["pallet_pdf"]):
        sheet = client.get(link, headers=world.headers("keeper"))
        assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
        assert "Set-Cookie" not in sheet.headers  # a token request opens no web session
    assert len(decode_page(client.get(links["pdf"], headers=world.headers("auditor")).data)) == 1


def test_a_label_sheet_without_a_valid_token_answers_401_to_an_api_client(app, client, world):
    lot, _ = services.receive(db.session, world.users["keeper"], depot="XZ-01",
                              item="SH-TENT-12", quantity=3, lot_code="T-API")
    anonymous = client.get(f"/labels.pdf?lot={lot.id}")
    assert anonymous.status_code == 401 and anonymous.json["code"] == "unauthorized"
    forged = client.get(f"/labels.pdf?lot={lot.id}", headers={"Authorization": "Bearer nope"})
    assert forged.status_code == 401 and forged.json["code"] == "unauthorized"
    browser = client.get(f"/labels.pdf?lot={lot.id}", headers={"Accept": "text/html"})
    assert browser.status_code == 302 and "/login" in browser.headers["Location"]


def test_a_label_sheet_names_depots_by_code_and_says_which_code_is_unknown(app, client, world):
    login(client)
    assert client.get("/labels.pdf?depot=XZ-01&depot=TS-01").status_code == 200
    unknown = client.get("/labels.pdf?depot=XZ-99")
    assert unknown.status_code == 404 and "XZ-99" in unknown.json["message"]
    assert client.get("/labels.pdf?depot_lots=XZ-99").status_code == 404


def test_a_label_sheet_past_the_limit_is_refused_whole(app, client, world):
    app.config["LABELS_MAX"] = 3
    for n in range(3):
        services.receive(db.session, world.users["keeper"], depot="XZ-01", item="SH-TENT-12",
                         quantity=1, lot_code=f"CAP-{n}")
    login(client)
    fits = client.get("/labels.pdf?depot_lots=XZ-01")
    assert fits.status_code == 200 and fits.mimetype == "application/pdf"
    for query in ("depot_lots=XZ-01&depot=XZ-01", "depot_lots=XZ-01&depot=TS-01",
                  "depot=XZ-01&depot=TS-01&depot=VL-01&depot=XZ-01"):
        assert_refused_page(client.get(f"/labels.pdf?{query}", headers=BROWSER), 400,
                            "一次最多打印 3 张标签")


def test_the_sheets_selections_read_without_http(app, world):
    from inventory.db import db
    from inventory.labels import queries
    from inventory.stock import services as stock

    admin = world.users["admin"]
    first, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=2)
    second, _ = stock.receive(db.session, admin, depot="XZ-01", item="FW-WATER-5L", quantity=1)
    emptied, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=1)
    stock.issue(db.session, admin, lot=emptied.id, quantity=1, reason="test")
    assert queries.lots_by_id(db.session, [second.id, 999999, first.id]) == [second, first]
    assert set(queries.lots_in_stock(db.session, world.depots["XZ-01"], 10)) == {first, second}
    assert len(queries.lots_in_stock(db.session, world.depots["XZ-01"], 1)) == 1
    depots, unknown = queries.depots_by_code(db.session, ["TS-01", "NOPE", "XZ-01"])
    assert [d.code for d in depots] == ["TS-01", "XZ-01"] and unknown == ["NOPE"]
