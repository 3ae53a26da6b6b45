"""Waybills on the keeper's phone: the waybill's signed QR code, and an arrival recorded from
whatever was scanned on unloading (the waybill's label or number, or a lot's label)."""

from datetime import datetime

from sqlalchemy import select

from inventory.errors import NotFound
from inventory.labels import payload, service
from inventory.stock.models import Lot
from inventory.transfers.models import Transfer
from inventory.transport import waybills
from inventory.transport.models import Waybill


def label_url(waybill: Waybill) -> str:
    """Return the signed address the waybill's QR code holds (…/q/W-<id>-…)."""
    return service.label_url("waybill", waybill.id)


def transfer_waybill(session, transfer_id: int) -> Waybill:
    """:raise NotFound: when the transfer is unknown or has no waybill."""
    if session.get(Transfer, transfer_id) is None:
        raise NotFound(f"没有编号为 {transfer_id} 的调拨单。",
                       f"No transfer with id {transfer_id}.")
    waybill = waybills.for_transfer(session, transfer_id)
    if waybill is None:
        raise NotFound("该调拨单尚无运单。", "This transfer has no waybill yet.",
                       {"transfer": ["no waybill"]})
    return waybill


def arrival_from_scan(session, actor, code: str, *, occurred_at: datetime | None = None,
                      ) -> Waybill:
    """Record an arrival from a scan: a waybill's label or number, or a lot's label.

    :raise InvalidLabel: for a label that is not ours or not intact.
    :raise NotFound: when the scan names no waybill, or no load to the actor's depots.
    """
    code = code.strip()
    if payload.looks_like_payload(code):
        kind, found = service.resolve(session, code)
        if kind == "waybill":
            return waybills.record_arrival(session, actor, found.id, occurred_at=occurred_at)
        if kind == "lot":
            return waybills.arrival_of_lot(session, actor, found.id, occurred_at=occurred_at)
        raise NotFound("这不是运单或批次标签。", "This is neither a waybill's nor a lot's label.",
                       {"code": ["not a waybill or lot"]})
    waybill = waybills.find_by_number(session, code)
    if waybill is not None:
        return waybills.record_arrival(session, actor, waybill.id, occurred_at=occurred_at)
    lot_ids = session.scalars(select(Lot.id).where(Lot.code == code)).all()
    for lot_id in lot_ids:
        try:
            return waybills.arrival_of_lot(session, actor, lot_id, occurred_at=occurred_at)
        except NotFound:
            continue
    raise NotFound(f"未找到运单或在途批次“{code}”。", f"No waybill or lot in transit “{code}”.",
                   {"code": ["unknown"]})
