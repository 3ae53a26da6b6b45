"""The outlets register's pages: every role reads them; planners, the bureau and admins define
and change outlets there; a refused form is shown again as typed and changes nothing."""

import pytest
from checks import nothing_changes
from crawl import logged_in
from factories import PASSWORD
from sqlalchemy import select

from inventory.db import db
from inventory.outlets import services
from inventory.outlets.models import Outlet

ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]
WRITERS = {"admin", "bureau", "planner"}
FORM = {"name": "农贸市场", "kind": "market", "item": "FW-BISCUIT", "capacity_per_month": "80",
        "value_per_unit": "1.5", "active": "on"}


@pytest.fixture
def canteen(world):
    return services.create_outlet(db.session, world.users["bureau"], name="县一中食堂",
                                  kind="canteen", item="FW-WATER-5L", capacity_per_month=120,
                                  value_per_unit=3.5).id


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_register_and_only_writers_change_it(app, world, canteen, role):
    client = logged_in(app, role, PASSWORD)
    index = client.get("/outlets/")
    page = index.get_data(as_text=True)
    assert index.status_code == 200 and "县一中食堂" in page and "学校食堂" in page
    assert ("登记轮换去向" in page) is (role in WRITERS)
    one = client.get(f"/outlets/{canteen}")
    assert one.status_code == 200 and ('name="capacity_per_month"' in one.get_data(
        as_text=True)) is (role in WRITERS)
    if role in WRITERS:
        made = client.post("/outlets/", data={**FORM, "name": f"{role} 市场"})
        assert made.status_code == 302
        changed = client.post(f"/outlets/{canteen}", data={
            "name": "县一中食堂", "kind": "canteen", "item": "FW-WATER-5L",
            "capacity_per_month": "150", "value_per_unit": "3.5"})
        assert changed.status_code == 302
        outlet = db.session.get(Outlet, canteen)
        db.session.refresh(outlet)
        assert (outlet.capacity_per_month, outlet.active) == (150, False)  # unticked: inactive
    else:
        with nothing_changes(db.session):
            refused = client.post("/outlets/", data=FORM)
            assert refused.status_code == 403 and "无权" in refused.get_data(as_text=True)
            assert client.post(f"/outlets/{canteen}", data=FORM).status_code == 403
    assert client.get("/outlets/999").status_code == 404


@pytest.mark.parametrize("changes, says", [
    ({"capacity_per_month": "很多"}, "每月可消纳量"),
    ({"item": "NO-SUCH"}, "物资目录中没有此物资"),
    ({"name": ""}, "名称"),
    ({"value_per_unit": "x"}, "单位回收价值"),
])
def test_a_refused_outlet_form_is_shown_again_as_typed(app, world, canteen, changes, says):
    client = logged_in(app, "planner", PASSWORD)
    with nothing_changes(db.session):
        refused = client.post("/outlets/", data={**FORM, **changes})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and says in page and 'class="flash error"' in page
        assert 'value="农贸市场"' in page or changes.get("name") == ""
        edit = client.post(f"/outlets/{canteen}", data={**FORM, **changes})
        assert edit.status_code == 422 and says in edit.get_data(as_text=True)
    twice = client.post("/outlets/", data={**FORM, "name": "县一中食堂", "item": "FW-WATER-5L"})
    assert twice.status_code == 409 and "已登记了这种物资" in twice.get_data(as_text=True)
    assert [o.name for o in db.session.scalars(select(Outlet))] == ["县一中食堂"]
