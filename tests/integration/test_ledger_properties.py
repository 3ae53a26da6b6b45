"""Property-based: random sequences of valid and invalid operations keep the ledger true.

After every operation each lot's balance equals our own model of it (refused operations
change nothing), never goes negative, and the whole ledger verifies at the end.
"""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inventory.db import db
from inventory.errors import DomainError
from inventory.stock import services
from inventory.stock.ledger import take_seal, verify_ledger
from inventory.stock.models import Lot, Movement
from inventory.transfers import services as transfers
from inventory.uow import unit_of_work

DEPOTS = ["XZ-01", "TS-01"]
ITEMS = ["SH-TENT-12", "FW-WATER-5L", "FW-BISCUIT"]
#: mostly the admin, who may act everywhere, so that most operations get far enough to matter
USERS = ["admin"] * 5 + ["keeper", "keeper2", "bureau"]

quantity = st.one_of(st.integers(1, 12), st.integers(-2, 40))
operation = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(DEPOTS), st.sampled_from(ITEMS), quantity,
              st.integers(-400, 900), st.sampled_from(["A", "B", "C", None])),
    st.tuples(st.just("issue_lot"), st.integers(0, 12), quantity),
    st.tuples(st.just("issue_item"), st.sampled_from(DEPOTS), st.sampled_from(ITEMS), quantity),
    st.tuples(st.just("adjust"), st.integers(0, 12), st.integers(-1, 60)),
    st.tuples(st.just("write_off"), st.integers(0, 12), st.one_of(st.none(), quantity)),
    st.tuples(st.just("reverse"), st.integers(0, 40)),
    st.tuples(st.just("transfer"), st.sampled_from(DEPOTS), st.sampled_from(ITEMS), quantity,
              st.integers(0, 45)),
    st.tuples(st.just("quarantine"), st.integers(0, 12), st.booleans()),
)


def run(op, actor, lots, movements):
    kind, *args = op
    session = db.session
    pick = lambda seq, n: seq[n % len(seq)] if seq else None  # noqa: E731
    if kind == "receive":
        depot, item, qty, days, code = args
        expires = date.today() + timedelta(days=days)
        services.receive(session, actor, depot=depot, item=item, quantity=qty, lot_code=code,
                         expires_on=expires)
    elif kind == "issue_lot":
        lot = pick(lots, args[0])
        services.issue(session, actor, lot=lot or 10**6, quantity=args[1])
    elif kind == "issue_item":
        services.issue(session, actor, depot=args[0], item=args[1], quantity=args[2])
    elif kind == "adjust":
        services.adjust(session, actor, lot=pick(lots, args[0]) or 10**6,
                        counted_quantity=args[1])
    elif kind == "write_off":
        services.write_off(session, actor, lot=pick(lots, args[0]) or 10**6, quantity=args[1],
                           reason="damaged")
    elif kind == "reverse":
        services.reverse(session, actor, movement=pick(movements, args[0]) or 10**6,
                         reason="mistake")
    elif kind == "transfer":
        source, item, qty, received = args
        target = "TS-01" if source == "XZ-01" else "XZ-01"
        # One transaction for the three steps, so that "refused" means nothing happened.
        with unit_of_work(session):
            draft = transfers.create(session, actor, from_depot=source, to_depot=target,
                                     lines=[{"item": item, "quantity": qty}])
            sent, _ = transfers.dispatch(session, actor, draft.id)
            lines = sorted((line.lot_id, line.quantity) for line in sent.lines)
            transfers.receive(session, actor, sent.id,
                              lines=[{"lot": lines[0][0], "quantity": min(received, lines[0][1])}])
    elif kind == "quarantine":
        lot = pick(lots, args[0]) or 10**6
        services.set_lot_status(session, actor, lot=lot,
                                status="quarantined" if args[1] else "available", reason="check")


def snapshot():
    return dict(db.session.execute(select(Lot.id, Lot.quantity)).all())


@pytest.mark.slow  # a hundred random sequences of up to twenty operations
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from(USERS), operation), min_size=1, max_size=20),
       opening=st.lists(st.tuples(st.sampled_from(DEPOTS), st.sampled_from(ITEMS),
                                  st.integers(1, 50)), max_size=4))
def test_random_operations_keep_balances_equal_to_the_ledger(world, ops, opening):
    for depot, item, qty in opening:
        services.receive(db.session, world.users["admin"], depot=depot, item=item, quantity=qty,
                         expires_on=date.today() + timedelta(days=qty * 20))
    for username, op in ops:
        lots = list(db.session.scalars(select(Lot.id).order_by(Lot.id)))
        movements = list(db.session.scalars(select(Movement.id).order_by(Movement.id)))
        before = snapshot()
        try:
            run(op, world.users[username], lots, movements)
            refused = False
        except DomainError:
            refused = True
        event(f"{op[0]} {'refused' if refused else 'done'}")
        db.session.expire_all()
        after = snapshot()
        if refused:
            assert after == before, f"{op} was refused but changed balances"
        assert all(q >= 0 for q in after.values())
        ledger = dict(db.session.execute(
            select(Movement.lot_id, db.func.sum(Movement.quantity)).group_by(Movement.lot_id)
        ).all())
        assert {lot: q for lot, q in after.items() if q or lot in ledger} == {
            lot: ledger.get(lot, 0) for lot in after if after[lot] or lot in ledger}
    if len(ops) % 3 == 0:
        take_seal(db.session)
    report = verify_ledger(db.session)
    assert report.ok, report.problems
