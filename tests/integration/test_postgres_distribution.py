"""Distributions at once on the real PostgreSQL server: two phones serving the same household
at the same moment, and many households from the same lots."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from distribution_helpers import add_norm, id_number, signature_png
from sqlalchemy import func, select

from inventory.auth.models import User
from inventory.db import db
from inventory.distribution import services
from inventory.distribution.domain import RepeatDistribution
from inventory.distribution.models import Distribution
from inventory.stock import services as stock
from inventory.stock.ledger import verify_ledger

pytestmark = pytest.mark.postgres
KEY = b"test-key"


def _give(app, actor_id, barrier, serial, key):
    with app.app_context():
        actor = db.session.get(User, actor_id)
        barrier.wait()
        try:
            services.create_distribution(
                db.session, actor, id_key=KEY, depot="XZ-01", name=f"户{serial}",
                household_size=2, id_number=id_number(serial), key=key,
                items=[{"item": "FW-WATER-5L", "quantity": 1}],
                confirmation={"kind": "signature", "image": signature_png()})
            return "given"
        except RepeatDistribution:
            return "repeat"
        finally:
            db.session.remove()


def test_two_phones_serving_one_household_at_once_give_its_ration_once(pg_app, pg_world):
    stock.receive(db.session, pg_world.users["admin"], depot="XZ-01", item="FW-WATER-5L",
                  quantity=100, lot_code="W")
    add_norm(db.session, pg_world.items["FW-WATER-5L"])
    keeper_id = pg_world.users["keeper"].id
    for round_ in range(5):
        barrier = threading.Barrier(2)
        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(lambda n, r=round_, b=barrier: _give(
                pg_app, keeper_id, b, 500 + r, f"r{r}-{n}"), range(2)))
        assert sorted(outcomes) == ["given", "repeat"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Distribution)) == 5


def test_many_households_at_once_from_the_same_lots_keep_every_balance_true(pg_app, pg_world):
    for n in range(3):
        stock.receive(db.session, pg_world.users["admin"], depot="XZ-01", item="FW-WATER-5L",
                      quantity=20, lot_code=f"W{n}", expires_on=date(2030, n + 1, 1))
    keeper_id = pg_world.users["keeper"].id
    barrier = threading.Barrier(6)

    def phone(n):
        return [_give(pg_app, keeper_id, barrier if i == 0 else threading.Barrier(1),
                      n * 100 + i, f"p{n}-{i}") for i in range(8)]

    with ThreadPoolExecutor(6) as pool:
        outcomes = [o for found in pool.map(phone, range(6)) for o in found]
    assert outcomes.count("given") == 48
    db.session.expire_all()
    assert verify_ledger(db.session).ok
