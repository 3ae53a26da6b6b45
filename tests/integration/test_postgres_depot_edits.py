"""Concurrent edits of one depot on PostgreSQL: the log's before-values never go stale."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from inventory.audit import events_for
from inventory.auth.models import User
from inventory.db import db
from inventory.geo.models import Depot
from inventory.geo.services import update_depot

pytestmark = pytest.mark.postgres


def test_concurrent_edits_of_one_depot_log_an_unbroken_chain_of_values(pg_app, pg_world):
    bureau_id = pg_world.users["bureau"].id
    threads, edits = 8, 5
    barrier = threading.Barrier(threads)

    def editor(n):
        with pg_app.app_context():
            actor = db.session.get(User, bureau_id)
            barrier.wait()
            for k in range(edits):
                update_depot(db.session, actor, "XZ-01", handling_hours=f"{n}.{k + 1}")
            db.session.remove()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(editor, range(threads)))
    db.session.expire_all()
    depot = db.session.query(Depot).filter_by(code="XZ-01").one()
    values = [(e.data["before"]["handling_hours"], e.data["after"]["handling_hours"])
              for e in events_for(db.session, "depot", depot.id)]
    assert len(values) == threads * edits  # every edit set a value no other edit set
    # Each edit saw the value the one before it left: the row lock orders them.
    assert values[0][0] == "1"
    assert all(values[n][1] == values[n + 1][0] for n in range(len(values) - 1))
    assert f"{depot.handling_hours.normalize():f}" == values[-1][1]
