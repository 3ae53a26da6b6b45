"""Imports from spreadsheets: a good file, a file with errors (nothing written), a repeat."""

import csv
import io

import pytest
from checks import BROWSER, assert_refused, assert_refused_page, nothing_changes
from factories import PASSWORD
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from inventory.contracts.models import Agreement
from inventory.db import db
from inventory.readiness.models import TravelTime
from inventory.stock.models import Lot, Movement

OPENING = [
    ["储备库编号", "物资编码", "数量", "批次号", "生产日期", "有效期至", "单价（元）"],
    ["XZ-01", "FW-WATER-5L", 500, "W-2026-01", "2026-03-01", "2028-03-01", 4.5],
    ["XZ-01", "SH-TENT-12", 40, "", "", "", 950],
    ["TS-01", "FW-BISCUIT", 120, "B-1", "2026/05/01", "", ""],
]


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def post(client, world, path, content, name, user="admin"):
    return client.post(path, data={"file": (io.BytesIO(content), name)},
                       headers=world.headers(user), content_type="multipart/form-data")


def ledger_rows():
    return db.session.scalar(select(func.count(Movement.id)))


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "gbk"])
def test_opening_stock_imports_once_however_often_the_file_comes(client, world, fmt):
    content, name = {"xlsx": (xlsx(OPENING), "期初.xlsx"), "csv": (csv_bytes(OPENING), "o.csv"),
                     "gbk": (csv_bytes(OPENING, "gb18030"), "o.csv")}[fmt]
    preview = post(client, world, "/api/v1/imports/opening_stock/preview", content, name)
    assert preview.status_code == 200, preview.json
    assert preview.json["errors"] == [] and preview.json["actions"] == {"create": 3}
    assert ledger_rows() == 0
    done = post(client, world, "/api/v1/imports/opening_stock", content, name)
    assert done.status_code == 201, done.json
    assert ledger_rows() == 3
    assert {m.reference for m in db.session.scalars(select(Movement))} == {"期初"}
    water = db.session.scalar(select(Lot).where(Lot.code == "W-2026-01"))
    assert water.quantity == 500 and water.source == "opening"
    assert str(water.expires_on) == "2028-03-01"
    again = post(client, world, "/api/v1/imports/opening_stock", content, name)
    assert again.status_code == 201 and again.json["actions"] == {"already imported": 3}
    assert ledger_rows() == 3


def test_a_file_with_errors_in_several_rows_writes_nothing_and_names_each_error(client, world):
    rows = OPENING + [
        ["XZ-99", "FW-WATER-5L", 5, "", "", "", ""],  # unknown depot
        ["XZ-01", "NO-SUCH", "五", "", "", "", ""],  # unknown item, quantity not a number
        ["XZ-01", "SH-TENT-12", -3, "", "2026-13-01", "", ""],  # negative, bad date
        ["XZ-01", "FW-WATER-5L", 500, "W-2026-01", "2026-03-01", "2028-03-01", 4.5],  # repeat
    ]
    response = post(client, world, "/api/v1/imports/opening_stock", xlsx(rows), "bad.xlsx")
    assert response.status_code == 422
    errors = {(e["row"], e["column"]) for e in response.json["errors"]["rows"]}
    assert errors == {(5, "储备库编号"), (6, "物资编码"), (6, "数量"), (7, "数量"),
                      (7, "生产日期"), (8, "储备库编号")}
    preview = post(client, world, "/api/v1/imports/opening_stock/preview", xlsx(rows), "b.xlsx")
    messages = {(e["row"], e["column"]): e["message"] for e in preview.json["errors"]}
    assert messages[(5, "储备库编号")] == "未知的储备库编号 XZ-99"
    assert messages[(8, "储备库编号")] == "与第 2 行重复"
    assert ledger_rows() == 0 and db.session.scalar(select(func.count(Lot.id))) == 0


def test_a_missing_required_column_is_reported_before_any_row(client, world):
    rows = [[c for i, c in enumerate(r) if i != 2] for r in OPENING]  # no quantity column
    response = post(client, world, "/api/v1/imports/opening_stock/preview", xlsx(rows), "x.xlsx")
    assert response.json["errors"] == [{"row": 1, "column": "数量", "message": "缺少此列",
                                        "message_en": "column missing"}]


def test_agreements_and_travel_times_import_and_update_by_their_keys(client, world):
    agreements = [["协议编号", "供应商", "物资编码", "协议数量", "响应时间（小时）", "送达",
                   "招标单价（元）", "有效期起", "有效期止"],
                  ["XY-1", "水厂", "FW-WATER-5L", 3000, 4, "county", 4.5, "2026-01-01",
                   "2026-12-31"]]
    assert post(client, world, "/api/v1/imports/agreements", xlsx(agreements),
                "a.xlsx", "bureau").status_code == 201
    agreements[1][3] = 3500
    again = post(client, world, "/api/v1/imports/agreements", xlsx(agreements), "a.xlsx",
                 "bureau")
    assert again.json["actions"] == {"update": 1}
    assert db.session.scalar(select(Agreement.committed_quantity)) == 3500
    travel = [["储备库编号", "目的区划代码", "行驶时间（小时）"], ["XZ-01", "140522100", 0.8]]
    assert post(client, world, "/api/v1/imports/travel_times", csv_bytes(travel), "t.csv",
                "bureau").status_code == 201
    assert float(db.session.scalar(select(TravelTime.hours))) == 0.8


def test_templates_download_with_chinese_headers(client, world):
    response = client.get("/api/v1/imports/opening_stock/template.xlsx",
                          headers=world.headers("bureau"))
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:3] == ["储备库编号*", "物资编码*", "数量*"]
    back = post(client, world, "/api/v1/imports/opening_stock/preview", response.data, "t.xlsx")
    assert back.json["errors"] == []  # the example row itself is valid
    text = client.get("/api/v1/imports/norms/template.csv",
                      headers=world.headers("bureau")).data.decode("utf-8-sig")
    assert text.startswith("物资编码*,人均数量*")


def test_only_an_admin_imports_opening_stock_and_keepers_import_nothing(client, world):
    norms = [["物资编码", "人均数量", "保障时长（小时）", "季节"], ["SH-TENT-12", 0.292, 72, "all"]]
    with nothing_changes(db.session):
        assert_refused(post(client, world, "/api/v1/imports/opening_stock", xlsx(OPENING),
                            "o.xlsx", "bureau"), 403, "forbidden")
        assert_refused(post(client, world, "/api/v1/imports/norms", xlsx(norms), "n.xlsx",
                            "keeper"), 403, "forbidden")


def test_an_unknown_kind_or_file_type_is_a_clear_error(client, world):
    assert post(client, world, "/api/v1/imports/pets/preview", b"x", "x.csv").status_code == 404
    response = post(client, world, "/api/v1/imports/norms/preview", b"x", "x.pdf")
    assert response.status_code == 422 and "xlsx" in response.json["message"]


def test_the_command_line_checks_then_imports(app, world, tmp_path):
    path = tmp_path / "期初.xlsx"
    path.write_bytes(xlsx(OPENING))
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["import-data", "opening_stock", str(path), "--dry-run"])
    assert checked.exit_code == 0 and "create: 3" in checked.output and ledger_rows() == 0
    done = runner.invoke(args=["import-data", "opening_stock", str(path)])
    assert done.exit_code == 0 and ledger_rows() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([OPENING[0], ["XZ-99", "FW-WATER-5L", 1, "", "", "", ""]]))
    refused = runner.invoke(args=["import-data", "opening_stock", str(bad)])
    assert refused.exit_code == 2 and "XZ-99" in refused.output and ledger_rows() == 3


def test_the_import_pages_preview_then_import_and_show_errors(client, world):
    client.post("/login", data={"username": "admin", "password": "correct horse battery"})
    assert "期初库存" in client.get("/imports/").get_data(as_text=True)
    page = client.post("/imports/opening_stock/preview", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(xlsx(OPENING)), "o.xlsx")})
    text = page.get_data(as_text=True)
    assert "确认导入" in text and ledger_rows() == 0
    token = text.split('name="token" value="')[1].split('"')[0]
    done = client.post("/imports/opening_stock/commit", data={"token": token},
                       follow_redirects=True)
    assert "已导入 3 行" in done.get_data(as_text=True) and ledger_rows() == 3
    bad = client.post("/imports/opening_stock/preview", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(xlsx(OPENING + [["XZ-99", "X", 1]])), "b.xlsx")})
    text = bad.get_data(as_text=True)
    assert "确认导入" not in text and "未知的储备库编号 XZ-99" in text
    assert client.post("/imports/opening_stock/commit", data={"token": "../etc"}).status_code == 400


def test_keepers_neither_see_the_import_pages_nor_import_through_them(app, client, world):
    admin = app.test_client()
    admin.post("/login", data={"username": "admin", "password": PASSWORD})
    previewed = admin.post("/imports/opening_stock/preview", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(xlsx(OPENING)), "o.xlsx")}).text
    token = previewed.split('name="token" value="')[1].split('"')[0]
    client.post("/login", data={"username": "keeper", "password": PASSWORD})
    assert_refused_page(client.get("/imports/", headers=BROWSER), 403, "您无权访问此页面")
    with nothing_changes(db.session):
        # the file an admin checked is waiting: a keeper who learnt its name still cannot
        assert_refused_page(client.post("/imports/opening_stock/commit", headers=BROWSER,
                                        data={"token": token}), 403, "您无权访问此页面")
        assert_refused_page(client.post(
            "/imports/opening_stock/preview", headers=BROWSER,
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(xlsx(OPENING)), "o.xlsx")}), 403, "您无权访问此页面")
