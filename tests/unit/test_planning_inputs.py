"""The optimizer's input documents built from plain facts: who may send what to which shelter
in time, and the rules of pre-positioning and rotation inputs."""

from datetime import date
from decimal import Decimal

import pytest

from inventory.planning import inputs, preposition, rotation
from inventory.planning.inputs import (
    CapacityFacts,
    ContractFacts,
    DepotFacts,
    ItemFacts,
    Network,
    SiteFacts,
)
from optimizer.schemas import load_dispatch, load_preposition, load_rotation

ITEMS = {"TENT": ItemFacts("TENT", 35.0, 0.25), "WATER": ItemFacts("WATER", 5.2, 0.0055),
         "PILL": ItemFacts("PILL", 0.0, 0.0)}
NORMS = {"TENT": Decimal("0.25"), "WATER": Decimal("3"), "PILL": Decimal("0.1")}


def network(**changes) -> Network:
    """A county warehouse, a township point, a shelter's own store and two shelters."""
    values = dict(
        deadline_hours=10.0, items=ITEMS, norms=NORMS,
        depots=[DepotFacts("XZ-01", 1.5, {"TENT": 100, "WATER": 500}),
                DepotFacts("TS-01", 0.5, {"TENT": 10, "WATER": 0}),
                DepotFacts("BN-1", 0.25, {"WATER": 40}, kind="shelter")],
        travel={("XZ-01", "BN-1"): 0.25, ("XZ-01", "BN-2"): 8.5, ("TS-01", "BN-1"): 2.0,
                ("TS-01", "BN-2"): 9.6, ("BN-1", "BN-1"): 0.0},
        county_warehouses={"BN-1": ["XZ-01"], "BN-2": ["XZ-01"]},
        contracts=[ContractFacts("XY-1", "WATER", 300, 4.0, False, 4.5),
                   ContractFacts("XY-2", "TENT", 50, 9.0, True, 950.0)],
        capacities=[CapacityFacts("CN-0001", "PILL", 10.0, 3.0, 200, 2.0,
                                  {"BN-1": 1.0, "BN-2": 6.95})])
    values.update(changes)
    return Network(**values)


SITES = [SiteFacts("BN-1", 100, 2.0), SiteFacts("BN-2", 41)]


def legs(document) -> dict[tuple[str, str], float]:
    return {(leg["from"], leg["to"]): leg["hours"] for leg in document["travel_hours"]}


def source(document, source_id):
    return next((s for s in document["sources"] if s["id"] == source_id), None)


def test_a_site_asks_its_people_times_the_norms_rounded_up_and_keeps_its_priority():
    document = inputs.dispatch_document(network(), SITES)
    assert document["sites"] == [
        {"id": "BN-1", "priority": 2.0, "people": 100,
         "demand": {"PILL": 10, "TENT": 25, "WATER": 300}},
        {"id": "BN-2", "priority": 1.0, "people": 41,
         "demand": {"PILL": 5, "TENT": 11, "WATER": 123}}]
    assert [item["code"] for item in document["items"]] == ["PILL", "TENT", "WATER"]


def test_a_depot_reaches_a_site_when_handling_and_road_hours_are_within_the_deadline():
    document = inputs.dispatch_document(network(), SITES)
    roads = legs(document)
    # 1.5 + 8.5 is exactly the deadline and counts; 0.5 + 9.6 does not.
    assert roads[("XZ-01", "BN-2")] == 8.5 and ("TS-01", "BN-2") not in roads
    assert source(document, "XZ-01") == {"id": "XZ-01", "kind": "physical",
                                         "handling_hours": 1.5,
                                         "stock": {"TENT": 100, "WATER": 500}}
    # A depot without any of the item offers none of it.
    assert source(document, "TS-01")["stock"] == {"TENT": 10}


def test_a_shelters_own_store_serves_only_its_own_shelter():
    document = inputs.dispatch_document(network(travel=network().travel | {
        ("BN-1", "BN-2"): 0.5}), SITES)
    assert [k for k in legs(document) if k[0] == "BN-1"] == [("BN-1", "BN-1")]
    assert source(document, "BN-1")["stock"] == {"WATER": 40}


def test_an_excluded_depot_sends_nothing_and_an_excluded_road_is_not_travelled():
    document = inputs.dispatch_document(network(
        excluded_depots=frozenset({"TS-01"}),
        excluded_pairs=frozenset({("XZ-01", "BN-2")})), SITES)
    assert source(document, "TS-01") is None
    assert ("XZ-01", "BN-2") not in legs(document) and ("XZ-01", "BN-1") in legs(document)


def test_a_contract_delivering_to_the_county_adds_the_road_from_the_county_warehouse():
    document = inputs.dispatch_document(network(), SITES)
    roads = legs(document)
    assert roads[("XY-1", "BN-1")] == 0.25
    assert ("XY-1", "BN-2") not in roads  # 4 h response + 8.5 h from the warehouse > 10 h
    assert source(document, "XY-1") == {"id": "XY-1", "kind": "contract", "handling_hours": 4.0,
                                        "stock": {"WATER": 300}, "unit_cost": {"WATER": 4.5}}
    # Delivered to the site itself: no road; 9 h response is within 10 h.
    assert roads[("XY-2", "BN-1")] == 0.0 and roads[("XY-2", "BN-2")] == 0.0


def test_a_contract_relayed_through_a_cut_warehouse_cannot_arrive():
    document = inputs.dispatch_document(network(excluded_depots=frozenset({"XZ-01"})), SITES)
    assert source(document, "XY-1") is None and source(document, "XY-2") is not None


def test_a_firm_reaches_a_site_where_it_can_make_at_least_one_unit_in_the_hours_left():
    document = inputs.dispatch_document(network(), SITES)
    roads = legs(document)
    assert ("CN-0001", "BN-1") in roads
    assert ("CN-0001", "BN-2") not in roads  # 10 − 3 − 6.95 h makes half a unit
    assert source(document, "CN-0001") == {
        "id": "CN-0001", "kind": "capacity", "ramp_hours": 3.0, "rate_per_hour": {"PILL": 10.0},
        "max": {"PILL": 200}, "unit_cost": {"PILL": 2.0}}


def test_only_the_modes_chosen_supply():
    document = inputs.dispatch_document(network(modes=("contract",)), SITES)
    assert {s["kind"] for s in document["sources"]} == {"contract"}
    assert all(leg["from"].startswith("XY") for leg in document["travel_hours"])


def test_moving_a_unit_costs_its_weight_and_weightless_goods_are_charged_a_little():
    document = inputs.dispatch_document(network(transport_cost_per_kg_hour=0.1), SITES)
    assert document["transport_cost_per_unit_hour"] == {
        "PILL": pytest.approx(inputs.LIGHTEST_KG * 0.1), "TENT": 3.5, "WATER": 0.52}


def test_the_dispatch_document_is_one_the_optimizer_accepts():
    problem = load_dispatch(inputs.dispatch_document(network(), SITES))
    assert {s.id for s in problem.sources} == {"XZ-01", "TS-01", "BN-1", "XY-1", "XY-2",
                                               "CN-0001"}


@pytest.mark.parametrize("people, capacities, expected", [
    (1200, [("A", 1500), ("B", 600), ("C", 400)], [("A", 720), ("B", 288), ("C", 192)]),
    (10, [("A", 1), ("B", 1), ("C", 1)], [("A", 4), ("B", 3), ("C", 3)]),
    (1, [("A", 5), ("B", 500)], [("B", 1)]),
    (5000, [("A", 100), ("B", 300)], [("A", 1250), ("B", 3750)]),
])
def test_people_are_spread_over_shelters_by_capacity_and_add_up(people, capacities, expected):
    spread = inputs.spread_people(people, capacities)
    assert spread == expected and sum(n for _, n in spread) == people


def test_stock_must_last_until_the_deadline_ends():
    assert inputs.need_until(date(2026, 12, 6), 10) == date(2026, 12, 6)
    assert inputs.need_until(date(2026, 12, 6), 24) == date(2026, 12, 7)
    assert inputs.need_until(date(2026, 12, 31), 72) == date(2027, 1, 3)


@pytest.mark.parametrize("expires_on, period", [
    (date(2026, 1, 14), 0),   # gone within the first month
    (date(2026, 2, 14), 1),   # lasts the first month whole, not the second
    (date(2026, 2, 15), 1),
    (date(2026, 3, 14), 2),
    (None, 13), (date(2030, 1, 1), 13),
])
def test_a_lot_is_usable_in_the_months_it_lasts_whole(expires_on, period):
    assert inputs.expires_period(date(2026, 1, 15), expires_on, 12) == period


def test_months_end_on_the_shorter_months_last_day():
    assert inputs.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert inputs.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_pre_positioning_restocks_the_receiving_depots_and_keeps_the_rest_as_other_sources():
    stocking = preposition.Stocking(
        receiving={"XZ-01", "TS-01"}, depot_travel={("XZ-01", "TS-01"): 1.2,
                                                    ("TS-01", "XZ-01"): 1.2},
        at_shelters={"BN-1": {"WATER": 40}}, prices={"TENT": 900.0, "OTHER": 1.0},
        budget=50000)
    cases = [preposition.CaseFacts("大汛", 0.3, [SiteFacts("BN-1", 100)]),
             preposition.CaseFacts("一般汛情", 0.7, [SiteFacts("BN-2", 40)])]
    depots = network().depots + [DepotFacts("VL-01", 0.25, {"TENT": 2}, kind="community")]
    document = preposition.preposition_document(
        network(depots=depots, travel=network().travel | {("VL-01", "BN-1"): 1.0}), cases,
        stocking)
    assert [d["id"] for d in document["depots"]] == ["TS-01", "XZ-01"]
    assert {s["id"] for s in document["other_sources"]} == {"VL-01", "XY-1", "XY-2",
                                                             "CN-0001"}
    # What the shelter's receiving point holds is not asked again.
    assert document["scenarios"][0]["sites"][0]["demand"]["WATER"] == 300 - 40
    assert document["purchase_cost"] == {"TENT": 900.0} and document["budget"] == 50000
    assert {("XZ-01", "TS-01"), ("TS-01", "XZ-01")} <= set(legs(document))
    load_preposition(document)


def test_a_rotation_keeps_the_larger_minimum_unless_the_planner_sets_one():
    plan = rotation.Rotation(
        start=date(2026, 1, 1), months=6,
        items={"WATER": rotation.RotationItemFacts("WATER", 730, 4.0),
               "BISCUIT": rotation.RotationItemFacts("BISCUIT", 1095, None)},
        lots=[inputs_lot(7, "WATER", 500, date(2026, 3, 31)),
              inputs_lot(8, "BISCUIT", 0, date(2027, 1, 1))],
        tier_minimums={"WATER": 800, "BISCUIT": 100}, target_minimums={"WATER": 3600},
        outlets=[{"name": "学校食堂", "item": "WATER", "capacity_per_month": 200,
                  "value_per_unit": 3.0}],
        minimum_override={"BISCUIT": 50}, budget_per_month=1000.0)
    document = rotation.rotation_document(plan)
    assert document["minimum_stock"] == {"BISCUIT": 50, "WATER": 3600}
    assert document["lots"] == [{"id": "7", "item": "WATER", "quantity": 500,
                                 "expires_period": 3}]
    assert {i["code"]: (i["unit_cost"], i["shelf_life_periods"]) for i in document["items"]} == {
        "BISCUIT": (0.0, 35), "WATER": (4.0, 23)}
    assert document["outlets"] == [{"id": "学校食堂", "item": "WATER",
                                    "capacity_per_period": 200, "value_per_unit": 3.0}]
    load_rotation(document)


def inputs_lot(lot_id, item, quantity, expires_on):
    return rotation.LotFacts(lot_id, item, quantity, expires_on)
