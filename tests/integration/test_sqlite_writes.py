"""On SQLite, concurrent writers queue (BEGIN IMMEDIATE) instead of failing or losing rows."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from inventory.auth.models import User
from inventory.db import db
from inventory.errors import InsufficientStock
from inventory.stock import services
from inventory.stock.ledger import verify_ledger
from inventory.stock.models import Lot, Movement


def test_concurrent_issues_on_sqlite_are_serialised_and_all_recorded(app, world):
    lot, _ = services.receive(db.session, world.users["admin"], depot="XZ-01",
                              item="SH-TENT-12", quantity=30, lot_code="T")
    lot_id, admin_id, threads = lot.id, world.users["admin"].id, 6
    barrier = threading.Barrier(threads)

    def keeper(_):
        done = 0
        with app.app_context():
            actor = db.session.get(User, admin_id)
            db.session.commit()
            barrier.wait()
            for _ in range(8):
                try:
                    services.issue(db.session, actor, lot=lot_id, quantity=1)
                    done += 1
                except InsufficientStock:
                    pass
            db.session.remove()
        return done

    with ThreadPoolExecutor(threads) as pool:
        done = sum(pool.map(keeper, range(threads)))
    db.session.rollback()  # end this session's read snapshot
    assert done == 30
    assert db.session.get(Lot, lot_id).quantity == 0
    assert db.session.scalar(select(func.count(Movement.id))) == 31
    assert verify_ledger(db.session).ok
