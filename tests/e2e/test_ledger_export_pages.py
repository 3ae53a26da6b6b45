"""The export page and the integrity page: who sees them, downloads in the page's language,
a verification that names the row changed behind the application's back, seals."""

import csv
import io

import pytest
from checks import assert_refused_page, nothing_changes
from factories import PASSWORD
from sqlalchemy import func, select, text

from inventory.db import db
from inventory.stock import services as stock
from inventory.stock.models import Movement, Seal

PAGES = ["/exports/", "/exports/ledger.csv", "/exports/ledger.xlsx", "/exports/ledger.pdf",
         "/integrity/", "/integrity/verification"]


@pytest.fixture
def ledger(world):
    admin = world.users["admin"]
    lot, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=20,
                           unit_cost="950")
    stock.issue(db.session, admin, lot=lot.id, quantity=2, reason="演练")
    stock.issue(db.session, admin, lot=lot.id, quantity=3)
    db.session.commit()
    return world


def page_client(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}
                       ).status_code == 302
    return client


def change_a_row_behind_the_applications_back(row_id: int) -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE stock_movements DISABLE TRIGGER USER"))
    else:
        for name in ("stock_movements_no_update", "stock_movements_no_delete"):
            db.session.execute(text(f"DROP TRIGGER {name}"))
    db.session.execute(text(f"UPDATE stock_movements SET quantity = -1 WHERE id = {row_id}"))
    db.session.commit()


@pytest.mark.parametrize("username", ["admin", "bureau", "auditor"])
def test_the_auditor_bureau_and_admins_reach_the_export_and_integrity_pages(app, ledger,
                                                                            username):
    client = page_client(app, username)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/exports/"' in home and 'href="/integrity/"' in home
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    page = client.get("/exports/?depot=XZ-01&kind=issue").get_data(as_text=True)
    assert "所选范围共 2 行台账" in page
    assert "/exports/ledger.csv?depot=XZ-01&amp;kind=issue" in page


@pytest.mark.parametrize("username", ["keeper", "planner"])
def test_keepers_and_planners_neither_see_nor_reach_the_export_and_integrity_pages(
        app, ledger, username):
    client = page_client(app, username)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/exports/"' not in home and 'href="/integrity/"' not in home
    for path in PAGES:
        assert_refused_page(client.get(path), 403, "您的角色无权执行此操作")
    token = home.split('name="csrf_token" value="')[1].split('"')[0]
    with nothing_changes(db.session):
        assert_refused_page(client.post("/integrity/seals", data={"csrf_token": token}), 403,
                            "您的角色无权执行此操作")


def test_a_download_from_the_page_is_in_the_pages_language_and_follows_its_filters(app,
                                                                                   ledger):
    client = page_client(app, "auditor")
    data = client.get("/exports/ledger.csv?kind=issue&from=2000-01-01&to=2999-12-31").data
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert lines[0][0] == "台账行号"
    assert [line[5] for line in lines[1:] if not line[0].startswith("#")] == ["issue", "issue"]
    client.get("/lang/en")
    data = client.get("/exports/ledger.csv?kind=issue").data
    assert data.decode("utf-8-sig").startswith("Ledger row,")


@pytest.mark.parametrize("query, says", [
    ("from=2026-13-01", "筛选条件有误"), ("depot=NOPE", "NOPE"),
    ("from=2026-06-30&to=2026-01-01", "起始日期晚于截止日期"),
])
def test_bad_filters_on_the_export_page_are_refused_with_a_message(app, ledger, query, says):
    client = page_client(app, "auditor")
    response = client.get(f"/exports/?{query}")
    assert response.status_code in (404, 422) and says in response.get_data(as_text=True)
    assert client.get(f"/exports/ledger.csv?{query}").status_code in (404, 422)


def test_the_integrity_page_names_exactly_the_row_changed_behind_the_applications_back(
        app, ledger):
    client = page_client(app, "auditor")
    assert "台账一致" in client.get("/integrity/verification").get_data(as_text=True)
    rows = db.session.scalars(select(Movement.id).order_by(Movement.id)).all()
    change_a_row_behind_the_applications_back(rows[1])
    page = client.get("/integrity/verification").get_data(as_text=True)
    assert "内容被改" in page
    assert f'id="row-{rows[1]}"' in page
    assert all(f'id="row-{other}"' not in page for other in rows if other != rows[1])


def test_the_auditor_takes_a_seal_from_the_page_and_sees_it_listed(app, ledger):
    client = page_client(app, "auditor")
    page = client.get("/integrity/").get_data(as_text=True)
    assert "尚无封存记录" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/integrity/seals", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    seal = db.session.scalar(select(Seal))
    assert seal.actor_id == ledger.users["auditor"].id and seal.movements_count == 3
    page = response.get_data(as_text=True)
    assert "已封存" in page and seal.digest in page and "auditor" in page
    assert db.session.scalar(select(func.count(Seal.id))) == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_verify_export_names_the_row_changed_behind_the_applications_back_on_both_databases(
        app, ledger, tmp_path, fmt):
    runner = app.test_cli_runner()
    out = tmp_path / f"ledger.{fmt}"
    assert runner.invoke(args=["export-ledger", "--format", fmt, "--out", str(out)]
                         ).exit_code == 0
    result = runner.invoke(args=["verify-export", str(out)])
    assert result.exit_code == 0 and "3 rows compared" in result.output, result.output
    rows = db.session.scalars(select(Movement.id).order_by(Movement.id)).all()
    change_a_row_behind_the_applications_back(rows[1])
    result = runner.invoke(args=["verify-export", str(out)])
    assert result.exit_code == 1
    assert f"in rows {rows[1]}\n" in result.output
    assert f"row {rows[1]}: quantity is '-2' in the file, '-1' in the ledger" in result.output
