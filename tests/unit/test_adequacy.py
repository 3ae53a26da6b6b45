"""The adequacy rules on plain values."""

from decimal import Decimal

from inventory.readiness.adequacy import (
    Capacity,
    Contract,
    Need,
    Shelf,
    assess,
    capacity_units,
    required_units,
)

TENT = Need(1, "SH-TENT-12", "帐篷", "顶", "生活类", Decimal("0.292"))
WATER = Need(2, "FW-WATER-5L", "水", "桶", "食品饮水", Decimal("1.8"))


def test_required_units_round_up_to_whole_units():
    assert required_units(1200, Decimal("0.292")) == 351  # 350.4
    assert required_units(1200, Decimal("1.8")) == 2160
    assert required_units(10, Decimal("0.02")) == 1


def test_capacity_counts_what_can_be_made_after_ramp_and_travel_up_to_its_maximum():
    firm = Capacity(1, "CN-0001", "水厂", 2, 400.0, 3.0, 5000, 1.5)
    assert capacity_units(firm, 10) == 2200  # 400 × (10 − 3 − 1.5)
    assert capacity_units(firm, 4) == 0  # not even started in time
    assert capacity_units(Capacity(1, "CN-0001", "水厂", 2, 400.0, 0.0, 1000, 0.0), 10) == 1000
    assert capacity_units(Capacity(1, "CN-0001", "水厂", 2, 400.0, 0.0, 1000, None), 10) == 0


def test_a_source_arriving_exactly_at_the_deadline_counts_and_a_later_one_does_not():
    shelves = [Shelf(1, "A", "甲", 1, 100, 10.0), Shelf(2, "B", "乙", 1, 50, 10.01),
               Shelf(3, "C", "丙", 1, 70, None)]
    result = assess(100, 10, [TENT], shelves, [], [])
    [tent] = result.items
    assert tent.physical == 100 and [s.code for s in tent.sources] == ["A"]


def test_the_scarcest_item_limits_the_people_supplied():
    shelves = [Shelf(1, "A", "甲", 1, 146, 2.0), Shelf(1, "A", "甲", 2, 900, 2.0)]
    contracts = [Contract(7, "XY-1", "供应商", 2, 900, 6.0)]
    result = assess(1200, 10, [TENT, WATER], shelves, contracts, [])
    tent, water = sorted(result.items, key=lambda i: i.need.item_id)
    assert tent.required == 351 and tent.shortfall == 205
    assert water.available == 1800 and water.people_supplied == 1000
    assert tent.people_supplied == 500  # 146 / 0.292
    assert result.people_supplied == 500
    assert [i.need.code for i in result.limiting_items] == ["SH-TENT-12"]


def test_nothing_limits_a_target_that_is_fully_covered():
    result = assess(10, 10, [TENT], [Shelf(1, "A", "甲", 1, 3, 1.0)], [], [])
    assert result.people_supplied == 10 and result.limiting_items == []


def test_each_depot_is_checked_against_a_minimum_short_ones_first():
    from inventory.readiness.adequacy import Requirement, check_minimum

    tents = Requirement(1, "SH-TENT-12", "帐篷", "顶", 6, Decimal("0.292"))
    water = Requirement(2, "FW-WATER-5L", "饮用水", "桶", 36, Decimal("1.8"))
    depots = [(10, "TS-01", "一号点", "凤城镇"), (11, "TS-02", "二号点", "凤城镇"),
              (12, "TS-03", "三号点", "凤城镇")]
    held = {(10, 1): 6, (10, 2): 40, (11, 1): 3, (11, 2): 50}
    empty, short, met = check_minimum([tents, water], depots, held)
    assert (empty.code, short.code, met.code) == ("TS-03", "TS-02", "TS-01")
    assert (empty.met, short.met, met.met) == (False, False, True)
    assert (empty.coverage, short.coverage, met.coverage) == (0, 0.5, 1)
    assert short.shortfalls == [(tents, 3, 3)] and met.shortfalls == []
    # people: ⌊3 ÷ 0.292⌋ = 10 and ⌊50 ÷ 1.8⌋ = 27 → 10; ⌊6 ÷ 0.292⌋ = 20, ⌊40 ÷ 1.8⌋ = 22 → 20
    assert (empty.people_held, short.people_held, met.people_held) == (0, 10, 20)


def test_an_item_minimum_counts_no_people():
    from inventory.readiness.adequacy import Requirement, check_minimum

    [depot] = check_minimum([Requirement(1, "SH-TENT-12", "帐篷", "顶", 50)],
                            [(10, "XZ-01", "县库", "阳城县")], {(10, 1): 70})
    assert depot.met and depot.people_held is None and depot.coverage == 1
