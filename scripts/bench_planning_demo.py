"""The planner's question on the demo county, end to end as a deployment answers it.

    scripts/bench planning --demo [--runs 5] [--database-url URL]

A fresh demo county (``init-db`` and ``seed-demo`` in a temporary folder; SQLite by default,
as ``scripts/serve`` deploys it), served by gunicorn with a ``jobs-worker`` consumer beside it,
both started as ``scripts/serve`` starts them. Each of --runs rounds, through the HTTP API:
``POST /scenarios`` from the 1,200-person, 10-hour target, ``POST /scenarios/<id>/runs``, polling
``GET /runs/<id>`` until finished, then ``POST /runs/<id>/orders``. Measured from the first
request to the orders' answer (floor 10 s), with the parts. Called by bench_planning.py.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
FLOOR_SECONDS = 10.0
POLL_SECONDS = 0.05


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "inventory", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _wait_until_up(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/login", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _round(base: str, headers: dict, target: int, number: int) -> dict:
    """One scenario → plan → orders through the API; the seconds of each step."""
    began = time.perf_counter()
    made = requests.post(f"{base}/api/v1/scenarios", headers=headers, timeout=30, json={
        "name": f"全县集中安置 1200 人（第 {number} 次）", "kind": "dispatch",
        "deadline_hours": 10, "target": target})
    made.raise_for_status()
    created = time.perf_counter()
    run = requests.post(f"{base}/api/v1/scenarios/{made.json()['id']}/runs",
                        headers=headers, timeout=30).json()
    while run["status"] not in ("finished", "failed", "cancelled"):
        time.sleep(POLL_SECONDS)
        run = requests.get(f"{base}/api/v1/runs/{run['id']}", headers=headers, timeout=30).json()
    if run["status"] != "finished":
        raise RuntimeError(f"run {run['id']} {run['status']}: {run.get('error')}")
    solved = time.perf_counter()
    orders = requests.post(f"{base}/api/v1/runs/{run['id']}/orders", timeout=60,
                           headers=headers | {"Idempotency-Key": f"bench-{run['id']}"})
    orders.raise_for_status()
    ended = time.perf_counter()
    body = orders.json()
    return {"seconds": round(ended - began, 3), "create_seconds": round(created - began, 3),
            "run_seconds": round(solved - created, 3),
            "run_elapsed_seconds": run["elapsed_seconds"],
            "orders_seconds": round(ended - solved, 3), "plan_status": run["result"]["status"],
            "people_fully_supplied": run["result"]["objective"].get("people_fully_supplied"),
            "shipments": len(run["result"]["shipments"]), "transfers": len(body["transfers"]),
            "call_offs": len(body["call_offs"]),
            "production_orders": len(body["production_orders"])}


def measure(runs: int, database_url: str | None = None) -> dict:
    """Serve a fresh demo county and time ``runs`` rounds; return the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-planning-demo-") as folder:
        env = os.environ | {
            "DATABASE_URL": database_url or f"sqlite:///{folder}/reserves.sqlite3",
            "JOBS_URL": f"sqlite:///{folder}/jobs.sqlite3", "JOBS_NAME": f"bench-{os.getpid()}",
            "SECRET_KEY": "bench-secret", "LABEL_SECRET": "bench-label-secret"}
        env.pop("JOBS_IMMEDIATE", None)
        _flask(env, "init-db")
        _flask(env, "seed-demo")
        token = _flask(env, "create-token", "planner", "--name", "bench").splitlines()[-1]
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "inventory:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "inventory", "jobs-worker"], cwd=ROOT,
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_until_up(base)
            headers = {"Authorization": f"Bearer {token}"}
            targets = requests.get(f"{base}/api/v1/targets", headers=headers, timeout=30).json()
            target = next(t["id"] for t in targets
                          if t["people"] == 1200 and float(t["deadline_hours"]) == 10)
            rounds = [_round(base, headers, target, n) for n in range(1, runs + 1)]
        finally:
            for process in (server, worker):
                process.terminate()
                process.wait(timeout=30)
    seconds = statistics.median(r["seconds"] for r in rounds)
    return {"seconds": round(seconds, 3), "floor_seconds": FLOOR_SECONDS,
            "passed": seconds < FLOOR_SECONDS,
            "database": "postgresql" if database_url else "sqlite", "rounds": rounds}
