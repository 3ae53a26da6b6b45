"""Reads behind the depot edit page, without HTTP."""

from factories import make_depot

from inventory.audit import record
from inventory.db import db
from inventory.geo import queries
from inventory.geo.services import update_depot


def test_a_depots_edits_are_listed_newest_first_with_each_field_before_and_after(world):
    depot = world.depots["TS-01"]
    update_depot(db.session, world.users["bureau"], "TS-01", handling_hours="0.5",
                 keeper_name="李四", name="凤城镇储备点")
    update_depot(db.session, world.users["admin"], "TS-01", active=False)
    record(db.session, world.users["admin"], "depot.label", "depot", depot.id)  # not an edit
    db.session.commit()
    latest, first = queries.depot_changes(db.session, depot)
    assert latest.actor.username == "admin" and first.actor.username == "bureau"
    assert [(f.field, f.before, f.after) for f in latest.fields] == [("active", True, False)]
    # In the form's order; the unchanged name is not there.
    assert [(f.field, f.before, f.after) for f in first.fields] == [
        ("handling_hours", "1", "0.5"), ("keeper_name", None, "李四")]
    assert queries.depot_changes(db.session, world.depots["XZ-01"]) == []


def test_a_depot_is_found_by_its_code(world):
    assert queries.depot_by_code(db.session, "VL-01").name == "东关村储备点"
    assert queries.depot_by_code(db.session, "NOPE") is None


def test_depot_lists_leave_out_what_the_page_does_not_offer(world):
    town = world.depots["TS-01"].area
    make_depot(db.session, "BN-01", town, name="凤城镇避难场所接收点", kind="shelter")
    update_depot(db.session, world.users["admin"], "VL-01", active=False)
    db.session.commit()

    def codes(**kwargs):
        return [depot.code for depot in queries.depots(db.session, **kwargs)]

    assert codes() == ["BN-01", "TS-01", "XZ-01"]
    assert codes(active_only=False) == ["BN-01", "TS-01", "VL-01", "XZ-01"]
    assert codes(active_only=False, shelters=False) == ["TS-01", "VL-01", "XZ-01"]
    assert codes(shelters=False, levels=("county",)) == ["XZ-01"]
    assert codes(active_only=False, levels=("village",)) == ["VL-01"]


def test_areas_are_listed_by_code_or_at_one_level(world):
    assert [a.name for a in queries.areas(db.session)] == ["阳城县", "凤城镇", "东关村"]
    assert [a.code for a in queries.areas(db.session, level="township")] == ["140522100"]
