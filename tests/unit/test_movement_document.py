"""The stock requests' answers, built directly, equal what MovementSchema declares."""

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.stock.domain import LedgerEntry
from inventory.stock.schemas import MovementSchema, movement_document

BEIJING = timezone(timedelta(hours=8))


def entry(**changes):
    lot = SimpleNamespace(code="L-2026-01", depot=SimpleNamespace(code="XZ-01"),
                          item=SimpleNamespace(code="SH-TENT-12"))
    fields = dict(
        id=41, lot_id=7, seq=3, depot_id=2, item_id=5, kind="issue", quantity=-5,
        balance_after=35, occurred_at=datetime(2026, 11, 23, 8, 30, tzinfo=BEIJING),
        recorded_at=datetime(2026, 11, 23, 0, 31, 2, 123456, tzinfo=UTC), actor_id=3,
        reason="转移安置", recipient="凤城镇", reference="CK-2026-0007",
        idempotency_key="k#1", transfer_id=None, reverses_id=None, prev_hash="a" * 64,
        hash="b" * 64, lot=lot, actor=SimpleNamespace(username="keeper1"))
    return LedgerEntry(**fields | changes)


@pytest.mark.parametrize("changes", [
    {},
    {"reason": None, "recipient": None, "reference": None},
    {"kind": "transfer_out", "transfer_id": 12},
    {"kind": "reversal", "quantity": 5, "reverses_id": 40, "balance_after": 40},
    {"occurred_at": datetime(2026, 1, 1, tzinfo=UTC)},
])
def test_the_direct_document_is_the_schema_dump(changes):
    movement = entry(**changes)
    assert movement_document(movement) == MovementSchema().dump(movement)


@given(quantity=st.integers(-10**9, 10**9).filter(bool), reason=st.none() | st.text(),
       occurred=st.datetimes(timezones=st.timezones()))
def test_any_row_gives_the_schema_dump(quantity, reason, occurred):
    movement = entry(quantity=quantity, reason=reason, occurred_at=occurred)
    assert movement_document(movement) == MovementSchema().dump(movement)
