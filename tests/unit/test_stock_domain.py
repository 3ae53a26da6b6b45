"""Plain-Python stock rules: expiry, usability, first-expiry-first-out, the hash chain."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from inventory.errors import InsufficientStock, LotNotUsable
from inventory.stock import domain

TODAY = date(2026, 11, 22)


@dataclass
class FakeLot:
    id: int
    quantity: int
    expires_on: date | None = None
    status: str = "available"
    code: str = "L"


def test_expiry_comes_from_manufacture_date_plus_shelf_life():
    assert domain.derive_expiry(None, date(2026, 1, 1), date(2026, 3, 1), 730) == date(2028, 1, 1)


def test_expiry_falls_back_to_the_receipt_date_and_a_given_date_wins():
    assert domain.derive_expiry(None, None, date(2026, 3, 1), 10) == date(2026, 3, 11)
    assert domain.derive_expiry(date(2027, 1, 1), None, date(2026, 3, 1), 10) == date(2027, 1, 1)


def test_durable_goods_never_expire():
    assert domain.derive_expiry(None, date(2026, 1, 1), TODAY, None) is None
    assert domain.effective_status(FakeLot(1, 5), TODAY) == "available"


def test_a_lot_is_usable_on_its_expiry_day_and_expired_the_day_after():
    assert domain.effective_status(FakeLot(1, 5, TODAY), TODAY) == "available"
    assert domain.effective_status(FakeLot(1, 5, date(2026, 11, 21)), TODAY) == "expired"


def test_fefo_takes_the_earliest_expiry_first_and_durable_lots_last():
    lots = [FakeLot(1, 5), FakeLot(2, 3, date(2027, 5, 1)), FakeLot(3, 4, date(2027, 1, 1))]
    picks = domain.pick_fefo(lots, 9, TODAY, "x")
    assert [(p.lot.id, p.quantity) for p in picks] == [(3, 4), (2, 3), (1, 2)]


@pytest.mark.parametrize("lot", [
    FakeLot(1, 5, date(2026, 1, 1)),
    FakeLot(1, 5, status="quarantined"),
    FakeLot(1, 5, status="written_off"),
])
def test_fefo_never_picks_unusable_lots(lot):
    with pytest.raises(InsufficientStock):
        domain.pick_fefo([lot], 1, TODAY, "x")
    with pytest.raises(LotNotUsable):
        domain.ensure_usable(lot, TODAY)


def test_fefo_reports_what_is_available_when_short():
    with pytest.raises(InsufficientStock) as error:
        domain.pick_fefo([FakeLot(1, 2), FakeLot(2, 3)], 6, TODAY, "帐篷")
    assert "可用 5" in error.value.zh and "5 of 帐篷" in error.value.en


def test_the_chain_hash_depends_on_every_field_and_on_the_previous_hash():
    fields = {"lot_id": 1, "seq": 1, "quantity": 5, "reason": None,
              "occurred_at": datetime(2026, 1, 1, tzinfo=UTC)}
    base = domain.chain_hash(domain.GENESIS_HASH, fields)
    assert base == domain.chain_hash(domain.GENESIS_HASH, dict(fields))
    assert base != domain.chain_hash("1" * 64, fields)
    for name, value in [("quantity", 6), ("reason", "x"), ("seq", 2),
                        ("occurred_at", datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC))]:
        assert base != domain.chain_hash(domain.GENESIS_HASH, fields | {name: value})


def test_the_chain_hash_is_the_same_for_one_instant_in_any_time_zone():
    from zoneinfo import ZoneInfo

    utc = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    local = utc.astimezone(ZoneInfo("Asia/Shanghai"))
    assert domain.chain_hash("0", {"t": utc}) == domain.chain_hash("0", {"t": local})
