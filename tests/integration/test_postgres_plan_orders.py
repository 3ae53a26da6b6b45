"""Orders from plans under concurrency, on PostgreSQL: two planners making one run's orders at
the same moment make them once; phones scanning one rotation line at once never send more
than the line holds."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from plan_world import dispatch_input, make_plan_world, solve
from sqlalchemy import func, select

from inventory.auth.models import User
from inventory.db import db
from inventory.errors import DomainError
from inventory.planorders import rotation
from inventory.planorders.models import PlanOrders
from inventory.planorders.services import orders_from_plan
from inventory.stock.models import Movement
from inventory.transfers.models import Transfer

pytestmark = pytest.mark.postgres


def concurrently(app, count, work):
    """Run ``work(index)`` in ``count`` threads released together; return what each did."""
    barrier = threading.Barrier(count)

    def run(index):
        with app.app_context():
            barrier.wait()
            try:
                return work(index)
            except DomainError as error:
                return type(error).__name__
            finally:
                db.session.remove()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_two_planners_making_one_runs_orders_at_once_make_them_once(pg_app, pg_world):
    plan = make_plan_world(db.session, pg_world)
    document = dispatch_input(pg_world, plan)
    result = solve("dispatch", document)
    ids = [pg_world.users[name].id for name in ("planner", "bureau", "admin")]

    def make(index):
        actor = db.session.get(User, ids[index])
        return orders_from_plan(db.session, actor, kind="dispatch", plan_input=document,
                                plan_result=result, run_id=41).transfers

    outcomes = concurrently(pg_app, 3, make)
    made = [outcome for outcome in outcomes if isinstance(outcome, list)]
    assert len(made) == 1 and sorted(o for o in outcomes if isinstance(o, str)) == [
        "StateConflict", "StateConflict"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(PlanOrders.id))) == 1
    assert sorted(db.session.scalars(select(Transfer.id))) == sorted(made[0])


def test_phones_scanning_one_rotation_line_at_once_send_it_once(pg_app, pg_world):
    plan = make_plan_world(db.session, pg_world)
    lot = plan.lots["W-SOON"]
    made = orders_from_plan(
        db.session, pg_world.users["planner"], kind="rotation", run_id=42,
        plan_input={"periods": 2, "items": [{"code": "FW-WATER-5L", "unit_cost": 1,
                                             "shelf_life_periods": 24}],
                    "lots": [{"id": str(lot.id), "item": "FW-WATER-5L", "quantity": 30,
                              "expires_period": 1}]},
        plan_result={"status": "optimal", "rotations": [
            {"lot": str(lot.id), "period": 0, "outlet": "食堂", "quantity": 10}]})
    order_id, lot_id, keeper = made.rotation_orders[0], lot.id, pg_world.users["keeper"].id

    def scan(_):
        actor = db.session.get(User, keeper)
        _, movements = rotation.rotate_out(db.session, actor, order_id=order_id, lot=lot_id,
                                           quantity=4)
        return -movements[0].quantity

    outcomes = concurrently(pg_app, 6, scan)
    assert sorted(map(str, outcomes)) == ["4", "4", "InvalidInput", "InvalidInput",
                                          "InvalidInput", "InvalidInput"]
    db.session.expire_all()
    sent = db.session.scalars(select(Movement.quantity).where(
        Movement.lot_id == lot_id, Movement.kind == "rotation_out")).all()
    assert sorted(sent) == [-4, -4]
