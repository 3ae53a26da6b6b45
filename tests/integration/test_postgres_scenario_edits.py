"""Concurrent changes of one scenario on PostgreSQL: each raises the version once and logs the
values the one before it left."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from inventory.audit import events_for
from inventory.auth.models import User
from inventory.db import db
from inventory.planning import services
from inventory.planning.models import Scenario
from inventory.shelters import services as shelters

pytestmark = pytest.mark.postgres


def test_concurrent_changes_of_a_scenario_are_versioned_one_after_another(pg_app, pg_world):
    planner = pg_world.users["planner"]
    shelters.create_shelter(db.session, pg_world.users["bureau"], code="BN-01", name="体育馆",
                            shelter_class="II", capacity_people=400, area="140522100")
    scenario = services.create_scenario(db.session, planner, name="甲", kind="dispatch",
                                        deadline_hours=10,
                                        sites=[{"shelter": "BN-01", "people": 100}])
    threads, edits = 6, 4
    barrier = threading.Barrier(threads)

    def editor(n):
        with pg_app.app_context():
            actor = db.session.get(User, planner.id)
            barrier.wait()
            for k in range(edits):
                services.update_scenario(db.session, actor, scenario.id,
                                         deadline_hours=n + (k + 1) / 10)
            db.session.remove()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(editor, range(1, threads + 1)))
    db.session.expire_all()
    changed = db.session.get(Scenario, scenario.id)
    values = [(e.data["before"]["deadline_hours"], e.data["after"]["deadline_hours"])
              for e in events_for(db.session, "scenario", scenario.id)[1:]]
    assert changed.version == 1 + threads * edits == 1 + len(values)
    assert values[0][0] == 10.0
    assert all(values[n][1] == values[n + 1][0] for n in range(len(values) - 1))
    assert float(changed.deadline_hours) == values[-1][1]
