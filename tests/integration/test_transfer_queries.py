"""The reads behind the transfer pages and the printed documents, called without HTTP."""

from datetime import timedelta

import pytest

from inventory import clock
from inventory.db import db
from inventory.documents import queries as documents
from inventory.errors import InvalidInput, NotFound
from inventory.stock import services as stock
from inventory.transfers import queries, services


def receive(world, code, quantity, days=None, item="FW-WATER-5L", reference=None):
    expires = None if days is None else clock.today() + timedelta(days=days)
    lot, [row] = stock.receive(db.session, world.users["keeper"], depot="XZ-01", item=item,
                               quantity=quantity, lot_code=code, expires_on=expires,
                               reference=reference, accept_expired=days is not None and days < 0)
    return lot, row


def offered(proposal) -> list[tuple[str, int]]:
    return [(offer.lot.code, offer.proposed) for offer in proposal.offers]


def test_lots_are_offered_first_expiry_first_with_durable_ones_last(world):
    receive(world, "DURABLE", 9, item="SH-TENT-12")
    receive(world, "SOON", 2, days=10, item="SH-TENT-12")
    receive(world, "LATER", 3, days=90, item="SH-TENT-12")
    expired, _ = receive(world, "GONE", 4, days=-1, item="SH-TENT-12")
    # Two rows of the same item are one request.
    [tents] = queries.propose_lots(db.session, "XZ-01", [("SH-TENT-12", 4), ("SH-TENT-12", 2)])
    assert (tents.requested, tents.available, tents.short) == (6, 14, 0)
    assert offered(tents) == [("SOON", 2), ("LATER", 3), ("DURABLE", 1)]
    assert expired.id not in [offer.lot.id for offer in tents.offers]


def test_with_too_little_stock_everything_usable_is_offered(world):
    receive(world, "A", 2, days=30)
    receive(world, "B", 3, days=60)
    [water] = queries.propose_lots(db.session, "XZ-01", [("FW-WATER-5L", 10)])
    assert offered(water) == [("A", 2), ("B", 3)] and water.short == 5


def test_a_proposal_names_what_is_wrong_with_its_request(world):
    with pytest.raises(NotFound):
        queries.propose_lots(db.session, "XZ-01", [("NO-SUCH", 1)])
    with pytest.raises(NotFound):
        queries.propose_lots(db.session, "NOPE", [("FW-WATER-5L", 1)])
    with pytest.raises(InvalidInput):
        queries.propose_lots(db.session, "XZ-01", [("FW-WATER-5L", 0)])


def test_the_sending_depots_a_user_may_choose(world):
    def codes(user):
        return [depot.code for depot in queries.source_depots(db.session, world.users[user])]

    assert codes("bureau") == codes("admin") == ["TS-01", "VL-01", "XZ-01"]
    assert codes("keeper") == ["XZ-01"] and codes("keeper2") == ["TS-01"]
    assert codes("planner") == codes("auditor") == []


def test_a_page_beyond_the_last_shows_the_last(world):
    lot, _ = receive(world, "A", 5, days=30)
    for _ in range(3):
        services.create(db.session, world.users["bureau"], from_depot="XZ-01", to_depot="TS-01",
                        lines=[{"lot": lot.id, "quantity": 1}])
    page = queries.list_transfers(db.session, queries.TransferFilter(), page=9, per_page=2)
    assert (page.page, page.pages, page.total, len(page.transfers)) == (2, 2, 3, 1)


def test_a_transfers_detail_sums_what_was_sent_and_received(world):
    lot, _ = receive(world, "A", 5, days=30)
    transfer = services.create(db.session, world.users["bureau"], from_depot="XZ-01",
                               to_depot="TS-01", lines=[{"lot": lot.id, "quantity": 4}])
    draft = queries.transfer_detail(db.session, transfer.number)
    assert (draft.sent, draft.received, draft.discrepancy, draft.movements) == (4, None, None, [])
    services.dispatch(db.session, world.users["keeper"], transfer.id)
    services.receive(db.session, world.users["keeper2"], transfer.id,
                     lines=[{"lot": lot.id, "quantity": 3}])
    done = queries.transfer_detail(db.session, transfer.number)
    assert (done.sent, done.received, done.discrepancy) == (4, 3, 1)
    assert [(m.kind, m.quantity) for m in done.movements] == [("transfer_out", -4),
                                                             ("transfer_in", 3)]


def test_a_ledger_row_leads_to_the_whole_document_of_its_reference(world):
    _, first = receive(world, "A", 5, reference="CG-7")
    _, second = receive(world, "B", 6, reference="CG-7")
    by_row = documents.stock_document(db.session, "receipt", movement=second.id)
    by_reference = documents.stock_document(db.session, "receipt", depot="XZ-01",
                                            reference="CG-7")
    assert [m.id for m in by_row.movements] == [m.id for m in by_reference.movements] == [
        first.id, second.id]
    assert by_row.number == by_reference.number == (
        f"RK-{clock.local_time(first.occurred_at).year}-{first.id:06d}")
    with pytest.raises(InvalidInput):
        documents.stock_document(db.session, "write_off", movement=first.id)
