"""How fast the workbench turns the live data into the optimizer's input, on PostgreSQL.

    scripts/bench planning [--lots 200000] [--rows-per-lot 10] [--runs 5] [--solve]
    scripts/bench planning --demo [--runs 5]

With --demo, the demo county end to end instead: scenario → finished plan → orders through
the HTTP API of a gunicorn server and a real job consumer (floor 10 s; bench_planning_demo.py).

The city of ``scripts/bench adequacy`` (10 counties × 13 townships × 10 villages, 200 items,
200,000 lots, 2 million ledger rows, agreements, firms, a 1,200-person target per county), in a
fresh database dropped afterwards, with a shelter in every township (130, each with its
receiving point). Measured, each the median of --runs:
- ``dispatch_input``: a dispatch scenario from one county's 1,200-person target (its 13
  shelters): the input built from the live data, with the marks of that data (floor 5 s);
- ``dispatch_input_city``: the same for all 130 shelters at once (no floor; for scale);
- with --solve, ``scenario_to_plan``: a run of the county scenario, input to stored plan,
  through the job's own code (the issue's 10 s from scenario to orders adds the orders).
Results go to bench-results/planning-<time>.json. Add a measurement by writing a function
``(app, context) -> dict`` and naming it in MEASUREMENTS.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_adequacy import load_city, make_app  # noqa: E402
from bench_ledger import admin, database_url  # noqa: E402

FLOORS = {"dispatch_input": 5.0}


def add_shelters(url: str, seed: int) -> int:
    """Put a shelter in every township: a depot of kind shelter and its register row."""
    rng = random.Random(seed)
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        cur = conn.cursor()
        cur.execute("SELECT id, code, latitude, longitude FROM areas WHERE level = 'township' "
                    "ORDER BY code")
        towns = cur.fetchall()
        for area_id, code, lat, lon in towns:
            shelter = f"BN-{code[2:4]}-{code[4:6]}"
            cur.execute("INSERT INTO depots (code, name, area_id, kind, latitude, longitude, "
                        "handling_hours, active) VALUES (%s, %s, %s, 'shelter', %s, %s, 0.5, "
                        "true) RETURNING id", (shelter, f"避难场所{shelter}", area_id, lat, lon))
            depot_id = cur.fetchone()[0]
            cur.execute("INSERT INTO shelters (code, name, shelter_class, capacity_people, "
                        "area_id, latitude, longitude, active, depot_id, created_at, "
                        "updated_at) VALUES (%s, %s, 'II', %s, %s, %s, %s, true, %s, now(), "
                        "now())", (shelter, f"避难场所{shelter}", rng.choice([200, 400, 800]),
                                   area_id, lat, lon, depot_id))
        conn.commit()
        cur.execute("ANALYZE")
    return len(towns)


def _median_seconds(runs: int, action) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    return round(statistics.median(times), 3), result


def _scenarios(app) -> dict:
    """A scenario from the first county's target, and one over every shelter of the city."""
    from sqlalchemy import select

    from inventory.auth.models import User
    from inventory.db import db
    from inventory.planning import services
    from inventory.readiness.models import Target
    from inventory.shelters.models import Shelter

    with app.app_context():
        actor = db.session.scalar(select(User).where(User.role == "admin"))
        target = db.session.scalar(select(Target).order_by(Target.id))
        county = services.create_scenario(db.session, actor, name="县 1200 人", kind="dispatch",
                                          target=target.id)
        everyone = [{"shelter": code, "people": 100} for code in db.session.scalars(
            select(Shelter.code).order_by(Shelter.code))]
        city = services.create_scenario(db.session, actor, name="全市", kind="dispatch",
                                        deadline_hours=10, sites=everyone)
        return {"county": county.id, "city": city.id, "actor": actor.id}


def _input_figures(app, scenario_id: int, runs: int) -> dict:
    from inventory.db import db
    from inventory.planning import facts, queries, services

    with app.app_context():
        scenario = queries.get_scenario(db.session, scenario_id)
        seconds, built = _median_seconds(runs, lambda: services.build_input(db.session, scenario))
        marks, _ = _median_seconds(runs, lambda: queries.data_marks(db.session))
        document, _ = _median_seconds(runs, lambda: facts.document_for(db.session, scenario))
        parsed = json.loads(built.document)
        return {"seconds": seconds, "marks_seconds": marks, "document_seconds": document,
                "bytes": len(built.document), "sites": len(parsed["sites"]),
                "sources": len(parsed["sources"]), "roads": len(parsed["travel_hours"])}


def dispatch_input(app, context: dict) -> dict:
    """Build the county scenario's dispatch input from the live data."""
    return _input_figures(app, context["county"], context["runs"])


def dispatch_input_city(app, context: dict) -> dict:
    """Build the input of a dispatch to all the city's shelters."""
    return _input_figures(app, context["city"], context["runs"])


def scenario_to_plan(app, context: dict) -> dict:
    """Run the county scenario through the job's code: input built, solved, plan stored."""
    from inventory.auth.models import User
    from inventory.db import db
    from inventory.planning import queries, services

    with app.app_context():
        actor = db.session.get(User, context["actor"])
        began = time.perf_counter()
        run = services.start_run(db.session, actor, context["county"])  # runs it at once
        seconds = time.perf_counter() - began
        db.session.expire_all()
        run = queries.get_run(db.session, run.id)
        plan = run.outcome or {}
        stats = run.stats or {}
        solver = stats.get("solver") or {}
        return {"seconds": round(seconds, 3), "status": run.status,
                "plan_status": plan.get("status"),
                "stats": {k: v for k, v in stats.items() if k != "solver"},
                "solver": {k: solver.get(k) for k in ("build_seconds", "solve_seconds",
                                                      "variables", "constraints", "gap")},
                "shipments": len(plan.get("shipments", []))}


MEASUREMENTS = {"dispatch_input": dispatch_input, "dispatch_input_city": dispatch_input_city,
                "scenario_to_plan": scenario_to_plan}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=200_000)
    parser.add_argument("--rows-per-lot", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--solve", action="store_true", help="also run scenario_to_plan")
    parser.add_argument("--demo", action="store_true",
                        help="the demo county end to end through the API and the queue")
    args = parser.parse_args()
    results: dict = {"started": datetime.now(UTC).isoformat(), "config": vars(args),
                     "floors_seconds": FLOORS, "load_average": os.getloadavg()}
    if args.demo:
        from bench_planning_demo import measure

        figures = measure(args.runs)
        results["demo_end_to_end"] = figures
        for number, one in enumerate(figures["rounds"], start=1):
            print(f"round {number}: {one}", flush=True)
        print(f"demo_end_to_end: {figures['seconds']:.3f} s (median; floor "
              f"{figures['floor_seconds']:g} s) -> {'PASS' if figures['passed'] else 'FAIL'}")
        _write(results, "planning-demo")
        return
    database = f"bench_planning_{os.getpid()}"
    admin(f'CREATE DATABASE "{database}"')
    try:
        url = database_url(database)
        app = make_app(url, JOBS_IMMEDIATE=True)  # a run's job runs where it is queued
        results["data"] = load_city(url, args.lots, args.rows_per_lot, args.seed)
        results["data"]["shelters"] = add_shelters(url, args.seed)
        print(f"city {results['data']}", flush=True)
        context = _scenarios(app) | {"runs": args.runs}
        chosen = [name for name in MEASUREMENTS if args.solve or name != "scenario_to_plan"]
        for name in chosen:
            figures = MEASUREMENTS[name](app, context)
            floor = FLOORS.get(name)
            if floor is not None:
                figures["passed"] = figures["seconds"] < floor
            results[name] = figures
            verdict = "" if floor is None else (
                f" (floor {floor:g} s) -> {'PASS' if figures['passed'] else 'FAIL'}")
            print(f"{name}: {figures['seconds']:.3f} s{verdict}  {figures}", flush=True)
        with app.app_context():
            from inventory.db import db
            db.session.remove()
            db.engine.dispose()
    finally:
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _write(results, "planning")


def _write(results: dict, name: str) -> None:
    results["load_average_after"] = os.getloadavg()
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"{name}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
