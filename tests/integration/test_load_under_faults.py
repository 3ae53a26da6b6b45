"""A short run of ``scripts/bench load``: keepers, a phone replaying late and an auditor
against gunicorn and a jobs consumer on PostgreSQL (the bench adds the demo county and a
planner's solves), with gunicorn's workers killed
(SIGKILL) in the middle. Clients retry unanswered requests with the same keys; afterwards every
acknowledged movement is in the ledger exactly once, no refused request left a row, every
transfer's stock is at its source, in transit or at its destination, and the ledger verifies."""

import importlib.util
import os
import sys
import uuid

import pytest
from servers import free_port
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from inventory.base import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "scripts" / "bench_load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # the load's processes get its functions by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def load_database(postgres_url):
    """A database of its own: the run loads the demo county, which other tests must not see."""
    name = f"reserves_load_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_workers_killed_mid_load_lose_and_duplicate_no_movement_and_split_no_transfer(
        load_database, tmp_path):
    bench = _bench()
    world = bench.prepare(load_database, clients=3, phones=1, county=False)
    env = os.environ | {"DATABASE_URL": load_database, "SECRET_KEY": "test-secret",
                        "LABEL_SECRET": "test-label-secret",
                        "JOBS_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
                        "JOBS_NAME": f"reserves-load-{uuid.uuid4().hex[:8]}"}
    env.pop("JOBS_IMMEDIATE", None)
    env.pop("RESERVES_ENV", None)
    result = bench.run_load(load_database, world, env, port=free_port(), seconds=5,
                            fault="kill-workers", workers=2, threads=2, logs=tmp_path)
    check = result["check"]
    assert result["fault_event"]["workers_killed"] == 2
    assert result["outcomes"]["acknowledged"] > 20 and result["outcomes"]["unanswered"] == 0
    assert result["recovery_seconds"] is not None
    assert (check["lost"], check["duplicated"], check["refused_but_written"]) == (0, 0, 0)
    assert check["answers_differing_for_one_key"] == 0 and check["rows_of_unknown_keys"] == 0
    assert check["transfers_broken"] == [] and check["transfers"]["received"] > 0
    assert check["conserved"] and check["lots_off_their_ledger"] == 0
    assert check["ledger_verified"], check["verify_output"]
    assert check["passed"]
