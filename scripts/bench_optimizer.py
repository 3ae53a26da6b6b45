"""Benchmark the optimizer on seeded, realistic instances (run as ``scripts/bench optimizer``).

Instances:
  county-dispatch            ~80 sources × 80 shelters × 40 items, 6-hour deadline, rural
                             roads, each depot with a weight and volume limit on dispatch
  county-dispatch-no-limits  the same without the depot limits: a transportation problem
  city-dispatch              ~800 sources × 800 shelters × 60 items, 3-hour deadline, damaged
                             city roads, depot limits
  county-rotation            ~50 items, ~2,000 lots, 24 months
  county-preposition         20 depots, 40 items, 5 flood/earthquake scenarios over 80 shelters

Prints a table and writes the figures to bench-results/optimizer-<timestamp>.json. Floors on a
2-core machine, model build and solve together: county dispatch proven optimal (gap ≤ 1e-4)
in under 5 s; city dispatch gap ≤ 1% in under 60 s; rotation optimal or within 0.5% in 30 s.
The gap is the widest over the lexicographic phases (shortage, then cost).

``--tuning FIELD=VALUE`` (repeatable) varies a constant of ``optimizer.options.Tuning``, e.g.
``--tuning block_share=0.5 --tuning rounding_room=0.999,0.9``. Current figures and the
commands that produced them: docs/benchmarks.md.
"""

import argparse
import dataclasses
import json
import math
import platform
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from optimizer.dispatch import solve_dispatch
from optimizer.errors import NoPlan
from optimizer.greedy import greedy_dispatch
from optimizer.options import SolveOptions, Tuning
from optimizer.preposition import solve_preposition
from optimizer.rotation import solve_rotation
from optimizer.schemas import load_dispatch, load_preposition, load_rotation

ROOT = Path(__file__).resolve().parent.parent

#: (code, kg, m³, units per person, shelf-life months) — a county catalogue, trimmed.
CATALOGUE = [
    ("TENT-12", 28, 0.12, 1 / 4, 120), ("TENT-36", 60, 0.30, 1 / 12, 120),
    ("QUILT", 2.5, 0.02, 1, 96), ("BLANKET", 1.8, 0.012, 1, 96),
    ("FOLD-BED", 9, 0.06, 1 / 2, 120), ("SLEEP-BAG", 1.6, 0.01, 1 / 2, 96),
    ("MAT", 1.2, 0.008, 1, 96), ("COAT", 1.5, 0.01, 1 / 3, 96),
    ("WATER-5L", 5.2, 0.006, 2, 24), ("WATER-550", 6.8, 0.009, 1, 24),
    ("NOODLES", 3.2, 0.02, 1, 12), ("BISCUIT", 2.0, 0.008, 1, 18),
    ("RICE-10KG", 10.2, 0.014, 1 / 10, 18), ("RTE-MEAL", 0.5, 0.001, 2, 24),
    ("MILK-POWDER", 0.9, 0.002, 1 / 20, 24), ("FLASHLIGHT", 0.3, 0.001, 1 / 4, 60),
    ("BATTERY", 0.1, 0.0002, 1, 60), ("CANDLE", 0.2, 0.0003, 1 / 2, 120),
    ("RAINCOAT", 0.4, 0.001, 1 / 2, 96), ("BOOTS", 1.4, 0.006, 1 / 4, 96),
    ("TOWEL", 0.2, 0.001, 1, 96), ("TOOTH-KIT", 0.1, 0.0003, 1, 36),
    ("SOAP", 0.1, 0.0002, 1 / 2, 36), ("SANITARY", 0.3, 0.001, 1 / 4, 36),
    ("DIAPER", 0.6, 0.003, 1 / 30, 36), ("MASK-100", 0.5, 0.002, 1 / 20, 36),
    ("DISINFECT", 1.1, 0.0015, 1 / 25, 24), ("FIRST-AID", 1.0, 0.004, 1 / 50, 36),
    ("STRETCHER", 8, 0.05, 1 / 200, 120), ("TOILET", 45, 0.6, 1 / 50, 120),
    ("LAMP-SOLAR", 1.0, 0.004, 1 / 20, 60), ("GEN-5KW", 95, 0.35, 1 / 400, 120),
    ("FUEL-20L", 18, 0.025, 1 / 200, 12), ("STOVE", 4, 0.02, 1 / 30, 120),
    ("POT", 1.5, 0.01, 1 / 10, 120), ("BUCKET", 0.8, 0.02, 1 / 5, 120),
    ("TARP", 3.0, 0.01, 1 / 6, 120), ("ROPE-50M", 4.0, 0.008, 1 / 40, 120),
    ("SHOVEL", 2.2, 0.008, 1 / 30, 120), ("WATER-TANK", 25, 1.0, 1 / 300, 120),
    ("PURIFY-TAB", 0.05, 0.0001, 2, 36), ("CHLORINE", 1.0, 0.001, 1 / 100, 24),
    ("GLOVES", 0.1, 0.0004, 1 / 4, 60), ("HELMET", 0.5, 0.004, 1 / 20, 120),
    ("RADIO", 0.4, 0.001, 1 / 50, 60), ("PHONE-CHARGER", 0.3, 0.001, 1 / 20, 60),
    ("ORS", 0.05, 0.0001, 1 / 4, 24), ("THERMOMETER", 0.05, 0.0001, 1 / 50, 60),
    ("BABY-FOOD", 0.5, 0.001, 1 / 25, 18), ("CANNED-MEAT", 0.4, 0.0005, 1, 36),
    ("BREAD", 0.5, 0.003, 1, 1), ("SALT", 0.5, 0.0005, 1 / 10, 36),
    ("OIL-5L", 4.6, 0.006, 1 / 25, 18), ("SUGAR", 1.0, 0.001, 1 / 20, 24),
    ("TEA", 0.25, 0.001, 1 / 20, 24), ("CUP", 0.02, 0.0002, 1, 120),
    ("BOWL", 0.05, 0.0004, 1, 120), ("CHOPSTICKS", 0.01, 0.0001, 1, 120),
    ("PLASTIC-BAG", 0.01, 0.0001, 2, 120), ("SCISSORS", 0.1, 0.0002, 1 / 50, 120),
]
#: Goods a factory or kitchen can make on demand.
MADE = ["WATER-5L", "WATER-550", "BREAD", "RTE-MEAL", "NOODLES", "BISCUIT", "QUILT", "TENT-12",
        "MASK-100", "DISINFECT"]


def _items(count: int) -> list[dict]:
    return [{"code": code, "weight_kg": kg, "volume_m3": m3}
            for code, kg, m3, _, _ in CATALOGUE[:count]]


def _hours(a, b, speed_kmh: float) -> float:
    """Road hours between two points (km): detour factor 1.35, half an hour to get going."""
    return round(0.25 + 1.35 * math.dist(a, b) / speed_kmh, 2)


def dispatch_instance(seed: int, *, sources: int, sites: int, items: int, size_km: float,
                      speed_kmh: float, deadline: float, held_items: tuple[int, int],
                      needed_items: tuple[int, int], limits: bool = True) -> dict:
    """Return a dispatch document: depots, suppliers and factories serving shelters.

    ``limits`` gives each depot a weight and volume limit on what it dispatches.
    """
    rng = random.Random(seed)
    catalogue = CATALOGUE[:items]
    codes = [c[0] for c in catalogue]
    need = {c[0]: c[3] for c in catalogue}
    made = [code for code in MADE if code in need]
    # Shelters cluster around towns; suppliers sit in towns and on the edge (and beyond).
    towns = [(rng.uniform(0, size_km), rng.uniform(0, size_km)) for _ in range(max(4, sites // 12))]

    def near_town(spread):
        x, y = rng.choice(towns)
        return (min(size_km, max(0, rng.gauss(x, spread))),
                min(size_km, max(0, rng.gauss(y, spread))))

    shelters = []
    for i in range(sites):
        people = int(rng.lognormvariate(6.3, 0.8))
        wanted = rng.sample(codes, rng.randint(*needed_items))
        demand = {code: max(1, round(people * need[code] * rng.uniform(0.8, 1.2)))
                  for code in wanted}
        shelters.append({"id": f"S{i:04d}", "priority": rng.choice([1, 1, 1, 2, 2, 3]),
                         "people": people, "demand": demand,
                         "_at": near_town(size_km / 15)})
    total = {code: sum(s["demand"].get(code, 0) for s in shelters) for code in codes}
    kinds = ["physical"] * round(sources * 0.62) + ["contract"] * round(sources * 0.26)
    kinds += ["capacity"] * (sources - len(kinds))
    holders = {code: 0 for code in codes}
    plan = []
    for j, kind in enumerate(kinds):
        if kind == "capacity":
            held = rng.sample(made, rng.randint(1, min(3, len(made))))
        else:
            held = rng.sample(codes, rng.randint(*held_items))
        for code in held:
            holders[code] += 1
        plan.append((j, kind, held))
    result_sources, depot_limits = [], []
    for j, kind, held in plan:
        ident = f"{kind[0].upper()}{j:04d}"
        if kind == "physical":
            at = near_town(size_km / 8)
            # Each item's stock covers about 0.8 of demand across its holders.
            stock = {code: max(1, round(total[code] * 0.8 / holders[code]
                                        * rng.uniform(0.3, 1.7))) for code in held}
            source = {"id": ident, "kind": kind, "handling_hours": rng.choice([0.5, 1, 1, 1.5]),
                      "stock": stock}
            depot_limits.append({"source": ident,
                                 "weight_kg": rng.choice([8000, 15000, 30000]),
                                 "volume_m3": rng.choice([40, 80, 160])})
        elif kind == "contract":
            # Suppliers: in towns or up to a third of the area beyond the edge.
            at = near_town(size_km / 5) if rng.random() < 0.6 else (
                rng.uniform(-size_km / 3, size_km * 4 / 3), rng.uniform(-size_km / 3, 0))
            stock = {code: max(1, round(total[code] * 0.5 / holders[code]
                                        * rng.uniform(0.5, 1.5))) for code in held}
            source = {"id": ident, "kind": kind, "handling_hours": rng.choice([2, 3, 4]),
                      "stock": stock,
                      "unit_cost": {code: round(rng.uniform(5, 400), 1) for code in held}}
        else:
            at = near_town(size_km / 6)
            source = {"id": ident, "kind": kind, "ramp_hours": rng.choice([1, 2, 3, 4]),
                      "rate_per_hour": {code: round(total[code] / holders[code] / 6
                                                    * rng.uniform(0.5, 2), 1) for code in held},
                      "max": {code: round(total[code] / holders[code] * rng.uniform(0.5, 1.5))
                              for code in held},
                      "unit_cost": {code: round(rng.uniform(2, 60), 1) for code in held}}
        source["_at"] = at
        result_sources.append(source)
    travel = _travel(result_sources, shelters, speed_kmh, deadline)
    for row in result_sources + shelters:
        del row["_at"]
    return {"deadline_hours": deadline, "items": _items(items), "sites": shelters,
            "sources": result_sources, "travel_hours": travel,
            "transport_cost_per_unit_hour": {code: round(0.02 * kg + 0.5 * m3 * 100, 3)
                                             for code, kg, m3, _, _ in catalogue},
            "dispatch_limits": depot_limits if limits else []}


def _travel(sources: list[dict], shelters: list[dict], speed_kmh: float,
            deadline: float) -> list[dict]:
    """Road hours from every source to every shelter it can reach before the deadline."""
    travel = []
    for source in sources:
        for shelter in shelters:
            hours = _hours(source["_at"], shelter["_at"], speed_kmh)
            if hours < deadline:  # farther pairs are left out: unreachable
                travel.append({"from": source["id"], "to": shelter["id"], "hours": hours})
    return travel


def county_dispatch(seed: int, limits: bool = True) -> dict:
    return dispatch_instance(seed, sources=80, sites=80, items=40, size_km=110, speed_kmh=28,
                             deadline=6, held_items=(8, 24), needed_items=(12, 30),
                             limits=limits)


def county_dispatch_without_limits(seed: int) -> dict:
    """The county dispatch with no depot weight or volume limits: a transportation problem."""
    return county_dispatch(seed, limits=False)


def city_dispatch(seed: int) -> dict:
    return dispatch_instance(seed, sources=800, sites=800, items=60, size_km=45, speed_kmh=18,
                             deadline=3, held_items=(4, 14), needed_items=(6, 20))


def county_rotation(seed: int, items: int = 50, lots: int = 2000, periods: int = 24) -> dict:
    """Return a rotation document: the county's reserve, lot by lot, over two years."""
    rng = random.Random(seed)
    # Goods kept less than six months (bread) are bought when needed, not held in reserve; a
    # reserve of bread could not keep its minimum within the budget.
    catalogue = rng.sample([goods for goods in CATALOGUE if goods[4] >= 6], items)
    rows, minimum, outlets = [], {}, []
    per_item = [lots // items + (1 if n < lots % items else 0) for n in range(items)]
    result_lots = []
    for (code, _, _, _, life), count in zip(catalogue, per_item, strict=True):
        price = round(rng.uniform(3, 300), 1)
        rows.append({"code": code, "unit_cost": price, "shelf_life_periods": life,
                     "lead_periods": rng.choice([0, 1, 1, 2]),
                     "write_off_cost": round(price * rng.uniform(0.02, 0.1), 2)})
        held = 0
        for n in range(count):
            quantity = rng.randint(20, 600)
            held += quantity
            result_lots.append({"id": f"{code}-{n:03d}", "item": code, "quantity": quantity,
                                "expires_period": rng.randint(0, life)})
        minimum[code] = round(held * rng.uniform(0.4, 0.7))
        for name, share, value in (("school-canteens", 0.04, 0.3), ("food-bank", 0.02, 0.1),
                                   ("retail-return", 0.05, 0.5)):
            if rng.random() < 0.6:
                outlets.append({"id": name, "item": code,
                                "capacity_per_period": max(10, round(held * share)),
                                "value_per_unit": round(price * value, 2)})
    # A month's budget buys a twelfth of the minimum stock at list price: 400,000 a month
    # (1% of it) could not keep the minimum of this reserve, so the instance was infeasible.
    prices = {row["code"]: row["unit_cost"] for row in rows}
    budget = round(sum(prices[code] * units for code, units in minimum.items()) / 12)
    return {"periods": periods, "items": rows, "lots": result_lots, "minimum_stock": minimum,
            "outlets": outlets, "budget_per_period": budget}


def county_preposition(seed: int) -> dict:
    """Return a pre-positioning document: 20 depots and five scenarios over 80 shelters."""
    base = dispatch_instance(seed, sources=40, sites=80, items=40, size_km=110, speed_kmh=28,
                             deadline=6, held_items=(8, 24), needed_items=(12, 30))
    rng = random.Random(seed + 1)
    physical = [s for s in base["sources"] if s["kind"] == "physical"][:20]
    others = [s for s in base["sources"] if s["kind"] != "physical"]
    items = {item["code"]: item for item in base["items"]}
    depots = []
    for source in physical:
        volume = sum(items[k]["volume_m3"] * u for k, u in source["stock"].items())
        depots.append({"id": source["id"], "handling_hours": source["handling_hours"],
                       "stock": source["stock"],
                       "capacity_m3": round(volume * rng.uniform(1.1, 2.0), 1)})
    ids = {d["id"] for d in depots} | {s["id"] for s in others}
    travel = [leg for leg in base["travel_hours"] if leg["from"] in ids]
    for a in depots:
        for b in depots:
            if a is not b and rng.random() < 0.5:
                travel.append({"from": a["id"], "to": b["id"],
                               "hours": round(rng.uniform(0.5, 4), 2)})
    scenarios = []
    for n, name in enumerate(["flood-north", "flood-south", "quake-east", "landslide-west",
                              "typhoon"]):
        hit = rng.sample(base["sites"], rng.randint(25, 50))
        scenarios.append({"id": name, "weight": [0.3, 0.25, 0.2, 0.15, 0.1][n], "sites": hit})
    # Legs to shelters no scenario hits name unknown places, which the input check refuses.
    places = {d["id"] for d in depots} | {s["id"] for x in scenarios for s in x["sites"]}
    travel = [leg for leg in travel if leg["to"] in places]
    return {"deadline_hours": base["deadline_hours"], "items": base["items"], "depots": depots,
            "purchase_cost": {code: round(rng.uniform(5, 400), 1) for code in items},
            "relocation_cost_per_unit_hour": base["transport_cost_per_unit_hour"],
            "budget": 600_000, "travel_hours": travel, "other_sources": others,
            "scenarios": scenarios, "dispatch_limits": [
                limit for limit in base["dispatch_limits"] if limit["source"] in ids]}


#: name → (generator, loader, solver, options, floor in seconds, largest acceptable gap)
INSTANCES = {
    "county-dispatch": (county_dispatch, load_dispatch, solve_dispatch,
                        SolveOptions(gap=1e-4, time_limit=10), 5.0, 1e-4),
    "county-dispatch-no-limits": (county_dispatch_without_limits, load_dispatch, solve_dispatch,
                                  SolveOptions(gap=1e-4, time_limit=10), 5.0, 1e-4),
    "city-dispatch": (city_dispatch, load_dispatch, solve_dispatch,
                      SolveOptions(gap=1e-2, time_limit=50), 60.0, 1e-2),
    "county-rotation": (county_rotation, load_rotation, solve_rotation,
                        SolveOptions(gap=1e-4, time_limit=25), 30.0, 5e-3),
    "county-preposition": (county_preposition, load_preposition, solve_preposition,
                           SolveOptions(gap=1e-4, time_limit=60), None, None),
}


def tuning_from(settings: list[str]) -> Tuning:
    """Return the default Tuning with each ``FIELD=VALUE`` of ``settings`` applied."""
    types = {field.name: type(getattr(Tuning(), field.name))
             for field in dataclasses.fields(Tuning)}
    changes = {}
    for setting in settings:
        name, _, text = setting.partition("=")
        if name not in types:
            raise SystemExit(f"--tuning: no field {name!r}; fields: {', '.join(types)}")
        if types[name] is tuple:
            changes[name] = tuple(float(part) for part in text.split(","))
        else:
            changes[name] = types[name](text)
    return dataclasses.replace(Tuning(), **changes)


def bench(name: str, seed: int, solver: str, tuning: Tuning | None = None) -> dict:
    """Generate, load and solve one instance; return its figures."""
    generate, load, solve, options, floor, largest_gap = INSTANCES[name]
    options = SolveOptions(solver=solver, gap=options.gap, time_limit=options.time_limit,
                           tuning=tuning or Tuning())
    began = time.perf_counter()
    document = generate(seed)
    generated = time.perf_counter()
    problem = load(document)
    loaded = time.perf_counter()
    row = {"instance": name, "seed": seed, "generate_seconds": generated - began,
           "load_seconds": loaded - generated}
    try:
        result = solve(problem, options)
    except NoPlan as error:
        row.update(status=error.status, stats=error.stats)
        return row
    stats = result.stats
    row.update(status=result.status, objective=result.objective, stats=stats)
    total = stats["build_seconds"] + stats["solve_seconds"]
    row["build_and_solve_seconds"] = total
    if "dispatch" in name:
        greedy = greedy_dispatch(problem)
        row["greedy"] = {"objective": greedy.objective,
                         "seconds": greedy.stats["solve_seconds"]}
        row["size"] = {"sources": len(problem.sources), "sites": len(problem.sites),
                       "items": len(problem.items), "travel_pairs": len(problem.travel_hours)}
    if "rotation" in name:
        row["size"] = {"items": len(problem.items), "lots": len(problem.lots),
                       "periods": problem.periods}
    if floor is not None:
        gap = stats["gap"]
        row["floor"] = {"seconds": floor, "gap": largest_gap,
                        "met": total < floor and gap is not None and gap <= largest_gap
                        and result.status in ("optimal", "feasible")}
    return row


def _number(value, digits=2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return f"{value:.{digits}f}" if abs(value) >= 10 ** -digits or value == 0 else f"{value:.1e}"


def table(rows: list[dict]) -> str:
    """Return the figures as a fixed-width table."""
    head = ["instance", "vars", "rows", "build s", "solve s", "status", "gap", "opt shortage",
            "greedy shortage", "opt cost/total", "floor"]
    lines = [head]
    for row in rows:
        stats = row.get("stats", {})
        objective = row.get("objective", {})
        shortage = objective.get("weighted_shortage",
                                 objective.get("expected_weighted_shortage"))
        greedy = row.get("greedy", {}).get("objective", {}).get("weighted_shortage")
        cost = objective.get("cost", objective.get("total", objective.get("spend")))
        floor = row.get("floor")
        lines.append([
            row["instance"], str(stats.get("variables", "-")), str(stats.get("constraints", "-")),
            _number(stats.get("build_seconds")), _number(stats.get("solve_seconds")),
            row["status"], _number(stats.get("gap"), 6), _number(shortage, 3),
            _number(greedy, 3), _number(cost, 1),
            "-" if floor is None else ("met" if floor["met"] else "MISSED")])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths,
                                                                        strict=True))
                     for line in lines)


def main(argv: list[str] | None = None) -> int:
    parse = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parse.add_argument("--seed", type=int, default=2026)
    parse.add_argument("--only", nargs="+", choices=sorted(INSTANCES),
                       help="run these instances only")
    parse.add_argument("--solver", choices=["highs", "cbc"], default="highs")
    parse.add_argument("--save-instances", metavar="DIR",
                       help="also write each generated instance as JSON here")
    parse.add_argument("--tuning", action="append", default=[], metavar="FIELD=VALUE",
                       help="vary a constant of optimizer.options.Tuning (repeatable)")
    args = parse.parse_args(argv)
    tuning = tuning_from(args.tuning)
    rows = []
    for name in args.only or list(INSTANCES):
        print(f"{name} ...", file=sys.stderr, flush=True)
        if args.save_instances:
            folder = Path(args.save_instances)
            folder.mkdir(parents=True, exist_ok=True)
            document = INSTANCES[name][0](args.seed)
            (folder / f"{name}-{args.seed}.json").write_text(json.dumps(document))
        rows.append(bench(name, args.seed, args.solver, tuning))
    print(table(rows))
    folder = ROOT / "bench-results"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"optimizer-{stamp}.json"
    path.write_text(json.dumps({"when": stamp, "machine": platform.platform(),
                                "python": platform.python_version(), "seed": args.seed,
                                "tuning": dataclasses.asdict(tuning), "results": rows},
                               indent=2, default=str))
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0 if all(row.get("floor", {}).get("met", True) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
