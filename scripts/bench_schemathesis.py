"""Schemathesis's long run: many generated requests per operation of the OpenAPI document, as
every role, each answer checked against the document (no 5xx; status code, content type,
headers and body as documented; errors in the one format).

    scripts/bench schemathesis [--examples 60] [--roles admin,bureau,keeper,planner,auditor]
                               [--seed N] [--postgres]

The test suite sends a few examples per operation (tests/e2e/test_api_fuzz.py); this sends
many, on a fresh SQLite database (or PostgreSQL with --postgres) seeded with rows of every
kind. Without --seed the run is derandomized, so two runs send the same requests; a seed
explores others. Prints cases and failures per role and writes
bench-results/schemathesis-<time>.json; docs/benchmarks.md has the figures.
"""

import argparse
import json
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("admin", "bureau", "keeper", "planner", "auditor")


def _app(postgres: bool, tmp: Path):
    """A migrated database and an app on it, as the tests build them."""
    from apps import postgres_app, sqlite_app, upgrade

    if postgres:
        url = _postgres_database()
        upgrade(url)
        return postgres_app(url, tmp)
    template = tmp / "template.sqlite3"
    upgrade(f"sqlite:///{template}")
    return sqlite_app(template, tmp)


def _postgres_database() -> str:
    """A database of the run's own on the test server (dropped by the next run)."""
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = os.environ.get("TEST_DATABASE_URL",
                            "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    name = "reserves_bench_schemathesis"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def run(examples: int, roles: list[str], seed: int | None, postgres: bool) -> dict:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]
    from factories import make_world
    from fuzz import exercise
    from fuzz import seed as seed_rows

    from inventory.db import db

    # Generated logins are refused by the thousand, by design: their warnings would bury the
    # figures.
    logging.disable(logging.WARNING)
    results = {"examples_per_operation": examples, "seed": seed, "postgres": postgres,
               "roles": {}}
    for role in roles:
        # A fresh database for each role, so one role's writes do not shape another's run.
        with tempfile.TemporaryDirectory() as tmp:
            apps = _app(postgres, Path(tmp))
            app = next(apps)
            world = make_world(db.session)
            seed_rows(world)
            started = time.perf_counter()
            outcome = exercise(app, world.tokens[role], examples, seed_value=seed)
            seconds = time.perf_counter() - started
            next(apps, None)
        results["roles"][role] = {"operations": outcome.operations, "cases": outcome.cases,
                                  "failures": len(outcome.failures), "seconds": round(seconds),
                                  "statuses": dict(sorted(outcome.statuses.items())),
                                  "first_failures": [list(map(str, f))
                                                     for f in outcome.failures[:20]]}
        print(f"{role:8} {outcome.operations} operations, {outcome.cases} cases, "
              f"{len(outcome.failures)} failures, {seconds:.0f} s; by status "
              f"{dict(sorted(outcome.statuses.items()))}", flush=True)
        for failure in outcome.failures[:5]:
            print("   ", *failure[:5], failure[5].splitlines()[2:4], flush=True)
    totals = results["roles"].values()
    results["cases"] = sum(r["cases"] for r in totals)
    results["failures"] = sum(r["failures"] for r in totals)
    print(f"total: {results['cases']} cases, {results['failures']} failures")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=60)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    results = run(args.examples, args.roles.split(","), args.seed, args.postgres)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"schemathesis-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written to {path.relative_to(ROOT)}")
    return 1 if results["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
