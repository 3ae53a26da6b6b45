"""The scan look-up's order of resolution, without HTTP."""

import pytest

from inventory.db import db
from inventory.errors import NotFound
from inventory.geo import queries as geo
from inventory.labels import payload, service
from inventory.scan import queries
from inventory.stock import services as stock


def test_a_lot_code_at_the_keepers_own_depot_wins_over_the_same_code_elsewhere(app, world):
    admin, keeper = world.users["admin"], world.users["keeper"]
    own, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=1,
                           lot_code="B-1")
    other, _ = stock.receive(db.session, admin, depot="TS-01", item="SH-TENT-12", quantity=1,
                             lot_code="B-1")
    mine = [d.id for d in keeper.depots]
    assert queries.resolve(db.session, " B-1 ", mine) == {"kind": "lot", "lot": own,
                                                          "depot": own.depot}
    found = queries.resolve(db.session, "B-1", [])
    assert found["kind"] == "lots" and {lot.id for lot in found["lots"]} == {own.id, other.id}


def test_a_lot_code_wins_over_a_depot_code_and_a_depot_code_is_read_in_any_case(app, world):
    admin = world.users["admin"]
    lot, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=1,
                           lot_code="TS-01")
    assert queries.resolve(db.session, "TS-01", [])["lot"] == lot
    assert queries.resolve(db.session, "vl-01", []) == {"kind": "depot",
                                                        "depot": world.depots["VL-01"]}


def test_a_signed_label_names_its_lot_and_nothing_found_is_a_clear_error(app, world):
    lot, _ = stock.receive(db.session, world.users["admin"], depot="XZ-01", item="SH-TENT-12",
                           quantity=1)
    found = queries.resolve(db.session, payload.sign("lot", lot.id, service.secret()), [])
    assert found["kind"] == "lot" and found["lot"] == lot
    with pytest.raises(NotFound) as refused:
        queries.resolve(db.session, "NO-SUCH", [])
    assert "NO-SUCH" in refused.value.message("zh")


def test_a_keeper_is_offered_their_own_depots_and_others_every_active_depot(app, world):
    assert [d.code for d in queries.depots_for(db.session, world.users["keeper"])] == ["XZ-01"]
    offered = [d.code for d in queries.depots_for(db.session, world.users["bureau"])]
    assert sorted(offered) == [d.code for d in geo.depots(db.session)]
