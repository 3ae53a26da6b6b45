"""Independent checks that a plan obeys the issue's rules, read straight off the JSON documents.

Written from the issue text, not from the optimizer's code, so that a shared mistake in
``optimizer.network`` cannot hide itself.
"""

import math
from collections import defaultdict

EPS = 1e-6


def _close(a: float, b: float, rel: float = 1e-7) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def check_dispatch(doc: dict, plan: dict) -> None:
    """Assert that a dispatch plan breaks no rule and that its objective adds up."""
    deadline = doc["deadline_hours"]
    items = {item["code"]: item for item in doc["items"]}
    sites = {site["id"]: site for site in doc["sites"]}
    sources = {source["id"]: source for source in doc["sources"]}
    travel = {(leg["from"], leg["to"]): leg["hours"] for leg in doc.get("travel_hours", [])}
    transport = doc.get("transport_cost_per_unit_hour", {})
    taken = defaultdict(int)
    delivered = defaultdict(int)
    weight = defaultdict(float)
    volume = defaultdict(float)
    cost = 0.0
    by_production = defaultdict(list)
    for shipment in plan["shipments"]:
        quantity = shipment["quantity"]
        assert isinstance(quantity, int) and quantity > 0, shipment
        source = sources[shipment["source"]]
        site = sites[shipment["site"]]
        item = shipment["item"]
        assert site["demand"].get(item, 0) > 0, f"{item} not demanded: {shipment}"
        pair = (source["id"], site["id"])
        assert pair in travel, f"no road {pair}"
        hours = travel[pair]
        if source["kind"] == "capacity":
            by_production[source["id"], item].append((deadline - hours, quantity))
        else:
            arrival = source.get("handling_hours", 0) + hours
            assert arrival <= deadline + 1e-9, f"late: {shipment}"
            assert _close(shipment["arrival_hours"], arrival)
            taken[source["id"], item] += quantity
        assert shipment["arrival_hours"] <= deadline + 1e-6, shipment
        delivered[site["id"], item] += quantity
        weight[source["id"]] += items[item].get("weight_kg", 0) * quantity
        volume[source["id"]] += items[item].get("volume_m3", 0) * quantity
        unit = 0.0 if source["kind"] == "physical" else source.get("unit_cost", {}).get(item, 0)
        cost += quantity * (unit + transport.get(item, 0) * hours)
    for (source_id, item), units in taken.items():
        assert units <= sources[source_id].get("stock", {}).get(item, 0), (source_id, item)
    _check_production(sources, by_production)
    _check_dispatch_limits(doc, weight, volume)
    weighted = _checked_shortages(doc, plan, delivered)
    assert _close(plan["objective"]["weighted_shortage"], weighted)
    assert _close(plan["objective"]["cost"], cost)
    for entry in plan.get("people") or []:
        site = sites[entry["site"]]
        shares = [site["people"] * delivered[site["id"], k] // d
                  for k, d in site["demand"].items() if d > 0]
        assert entry["fully_supplied"] == min([site["people"], *shares])


def _check_production(sources: dict, by_production: dict) -> None:
    """A factory has made, by each shipment's departure, all it has shipped, and no more than
    its maximum."""
    for (source_id, item), due in by_production.items():
        source = sources[source_id]
        rate = source["rate_per_hour"].get(item, 0)
        for moment, _ in due:
            units = sum(q for finish, q in due if finish <= moment)
            made = rate * max(0.0, moment - source.get("ramp_hours", 0))
            assert units <= made + EPS, f"{source_id} {item} cannot make {units} by {moment}"
        if item in source.get("max", {}):
            assert sum(q for _, q in due) <= source["max"][item]


def _check_dispatch_limits(doc: dict, weight: dict, volume: dict) -> None:
    """No depot dispatches more weight or volume than its limit."""
    for limit in doc.get("dispatch_limits", []):
        source_id = limit["source"]
        if limit.get("weight_kg") is not None:
            assert weight[source_id] <= limit["weight_kg"] * (1 + 1e-9) + EPS
        if limit.get("volume_m3") is not None:
            assert volume[source_id] <= limit["volume_m3"] * (1 + 1e-9) + EPS


def _checked_shortages(doc: dict, plan: dict, delivered: dict) -> float:
    """Assert no site gets more than it needs and every shortage is listed; return the
    weighted shortage."""
    listed = {(s["site"], s["item"]): s["quantity"] for s in plan["shortages"]}
    weighted = 0.0
    for site in doc["sites"]:
        for item, demand in site["demand"].items():
            if demand <= 0:
                continue
            got = delivered[site["id"], item]
            assert got <= demand, f"{site['id']} {item}: {got} > {demand}"
            assert listed[site["id"], item] == demand - got
            weighted += site.get("priority", 1.0) * (demand - got) / demand
    return weighted


def check_rotation(doc: dict, plan: dict) -> None:
    """Assert that a rotation plan breaks no rule and that its objective adds up."""
    periods = doc["periods"]
    items = {item["code"]: item for item in doc["items"]}
    lots = {lot["id"]: dict(lot) for lot in doc.get("lots", [])}
    outlets = {(o["id"], o["item"]): o for o in doc.get("outlets", [])}
    spent = defaultdict(float)
    purchase_cost = 0.0
    for purchase in plan["purchases"]:
        item = items[purchase["item"]]
        ordered = purchase["period"]
        assert 0 <= ordered < periods
        assert purchase["quantity"] > 0 and isinstance(purchase["quantity"], int)
        arrives = ordered + item.get("lead_periods", 0)
        assert purchase["lot"] == f"new:{item['code']}:{ordered}"
        lots[purchase["lot"]] = {"id": purchase["lot"], "item": item["code"],
                                 "quantity": purchase["quantity"], "arrives": arrives,
                                 "expires_period": arrives + item["shelf_life_periods"]}
        spent[ordered] += item["unit_cost"] * purchase["quantity"]
        purchase_cost += item["unit_cost"] * purchase["quantity"]
    if doc.get("budget_per_period") is not None:
        for ordered, money in spent.items():
            assert money <= doc["budget_per_period"] * (1 + 1e-9) + EPS, ordered
    rotated = defaultdict(int)
    per_outlet = defaultdict(int)
    value = 0.0
    for rotation in plan["rotations"]:
        lot = lots[rotation["lot"]]
        period = rotation["period"]
        quantity = rotation["quantity"]
        assert isinstance(quantity, int) and quantity > 0
        assert lot.get("arrives", 0) <= period < min(lot["expires_period"], periods), \
            f"rotated outside usable periods: {rotation}"
        outlet = outlets[rotation["outlet"], lot["item"]]
        per_outlet[outlet["id"], lot["item"], period] += quantity
        rotated[lot["id"], period] += quantity
        value += outlet.get("value_per_unit", 0) * quantity
    for (outlet_id, item, _), units in per_outlet.items():
        assert units <= outlets[outlet_id, item]["capacity_per_period"]
    for lot in lots.values():
        assert sum(q for (lot_id, _), q in rotated.items() if lot_id == lot["id"]) \
            <= lot["quantity"], lot["id"]
    _check_stock_held(doc, plan, items, lots, rotated)
    write_off_cost = _checked_write_offs(doc, plan, items, lots, rotated)
    total = purchase_cost - value + write_off_cost
    assert _close(plan["objective"]["total"], total), (plan["objective"], total)


def _check_stock_held(doc: dict, plan: dict, items: dict, lots: dict, rotated: dict) -> None:
    """Each item's stock in each period is what its usable lots hold after rotations, at
    least the minimum, and as the plan reports it."""
    periods = doc["periods"]
    stock = {(s["item"], s["period"]): s["quantity"] for s in plan["stock"]}
    for code in items:
        for period in range(periods):
            held = 0
            for lot in lots.values():
                if lot["item"] != code:
                    continue
                if lot.get("arrives", 0) <= period < lot["expires_period"]:
                    held += lot["quantity"] - sum(
                        q for (lot_id, when), q in rotated.items()
                        if lot_id == lot["id"] and when < period)
            assert held >= doc.get("minimum_stock", {}).get(code, 0), (code, period, held)
            assert stock.get((code, period), 0) == held, (code, period)


def _checked_write_offs(doc: dict, plan: dict, items: dict, lots: dict,
                        rotated: dict) -> float:
    """Assert every lot expiring within the horizon writes off exactly what is left of it, and
    nothing else is written off; return the write-off cost."""
    periods = doc["periods"]
    write_off_cost = 0.0
    written = {(w["lot"], w["period"]): w["quantity"] for w in plan["write_offs"]}
    for lot in lots.values():
        expires = lot["expires_period"]
        left = lot["quantity"] - sum(q for (lot_id, _), q in rotated.items()
                                     if lot_id == lot["id"])
        if expires <= periods - 1 and left > 0:
            assert written.get((lot["id"], expires)) == left, lot["id"]
            write_off_cost += items[lot["item"]].get("write_off_cost", 0) * left
        else:
            assert (lot["id"], expires) not in written
    assert len(written) == sum(1 for w in plan["write_offs"])
    return write_off_cost


def weighted_shortage(doc: dict, delivered: dict) -> float:
    """Return Σ priority × unmet share for ``{(site, item): units delivered}``."""
    total = 0.0
    for site in doc["sites"]:
        for item, demand in site["demand"].items():
            if demand > 0:
                got = min(demand, delivered.get((site["id"], item), 0))
                total += site.get("priority", 1.0) * (demand - got) / demand
    return total


def isclose(a: float, b: float, rel: float = 1e-7) -> bool:
    """Return whether two objective values agree to solver precision."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-7)


def check_preposition(doc: dict, plan: dict) -> None:
    """Assert that new depot stock follows from the moves and purchases and fits every limit."""
    items = {item["code"]: item for item in doc["items"]}
    depots = {depot["id"]: depot for depot in doc["depots"]}
    travel = {(leg["from"], leg["to"]): leg["hours"] for leg in doc.get("travel_hours", [])}
    held = defaultdict(int)
    for depot in doc["depots"]:
        for item, units in depot.get("stock", {}).items():
            held[depot["id"], item] += units
    moved_out = defaultdict(int)
    spend = 0.0
    for move in plan["relocations"]:
        assert move["quantity"] > 0 and move["from"] != move["to"]
        assert move["from"] in depots and move["to"] in depots
        hours = travel[move["from"], move["to"]]
        held[move["from"], move["item"]] -= move["quantity"]
        held[move["to"], move["item"]] += move["quantity"]
        moved_out[move["from"], move["item"]] += move["quantity"]
        spend += doc.get("relocation_cost_per_unit_hour", {}).get(move["item"], 0) * hours * \
            move["quantity"]
    for (depot_id, item), units in moved_out.items():
        assert units <= depots[depot_id].get("stock", {}).get(item, 0), "moved more than held"
    for purchase in plan["purchases"]:
        assert purchase["quantity"] > 0
        held[purchase["depot"], purchase["item"]] += purchase["quantity"]
        spend += doc["purchase_cost"][purchase["item"]] * purchase["quantity"]
    listed = {(s["depot"], s["item"]): s["quantity"] for s in plan["depot_stock"]}
    for key, units in held.items():
        assert units >= 0
        assert listed.get(key, 0) == units, key
    for depot in doc["depots"]:
        if depot.get("capacity_m3") is not None:
            volume = sum(items[k]["volume_m3"] * u for (d, k), u in held.items()
                         if d == depot["id"])
            assert volume <= depot["capacity_m3"] * (1 + 1e-9) + EPS, depot["id"]
    if doc.get("budget") is not None:
        assert spend <= doc["budget"] * (1 + 1e-9) + EPS
    assert _close(plan["spend"], spend)
    expected = sum(s["weight"] * s["weighted_shortage_after"] for s in plan["scenarios"])
    assert _close(plan["objective"]["expected_weighted_shortage"], expected, rel=1e-6)
