"""What a scanned or typed code names, and the depots the scan screen offers; callable
without HTTP."""

from sqlalchemy import select

from inventory.errors import NotFound
from inventory.geo import queries as geo
from inventory.geo.models import Depot
from inventory.labels import payload, service
from inventory.transport import waybills

#: the order of tiers in the depot list: a keeper's county or township depot comes first
TIER_ORDER = {"county": 0, "township": 1, "village": 2}


def resolve(session, code: str, my_depot_ids: list[int]) -> dict:
    """Resolve a scanned label or a typed code, in this order: a signed label (lot, depot, bin
    or waybill); a lot code, at the keeper's own depots first, then anywhere; a depot code; a
    waybill number.

    Returns ``{"kind": ..., and the lot, lots, depot, bin or waybill}``.

    :raise NotFound: when nothing has the code.
    :raise InvalidLabel: when a label is not ours or not intact (``labels.service.resolve``).
    """
    code = code.strip()
    if payload.looks_like_payload(code):
        kind, found = service.resolve(session, code)
        if kind == "lot":
            return {"kind": "lot", "lot": found, "depot": found.depot}
        if kind == "depot":
            return {"kind": "depot", "depot": found}
        if kind == "waybill":
            return {"kind": "waybill", "waybill": found, "depot": found.to_depot}
        return {"kind": "bin", "bin": found, "depot": found.depot}
    lots = service.lots_by_code(session, code, my_depot_ids) or service.lots_by_code(session, code)
    if len(lots) == 1:
        return {"kind": "lot", "lot": lots[0], "depot": lots[0].depot}
    if lots:
        return {"kind": "lots", "lots": lots}
    depot = session.scalar(select(Depot).where(Depot.code == code.upper()))
    if depot is not None:
        return {"kind": "depot", "depot": depot}
    waybill = waybills.find_by_number(session, code)
    if waybill is not None:
        return {"kind": "waybill", "waybill": waybill, "depot": waybill.to_depot}
    raise NotFound(f"未找到批次号或标签“{code}”。请核对后重新输入。",
                   f"No lot code or label “{code}”. Check it and try again.")


def _own_first(depot: Depot) -> tuple:
    """Sort key: higher tiers first, and a government depot before one hosted by a firm."""
    return (TIER_ORDER.get(depot.tier, 9), depot.kind != "government", depot.code)


def depots_for(session, user) -> list[Depot]:
    """The depots the screen offers a user, the default (the keeper's own depot) first."""
    if user.role == "keeper":
        depots = [depot for depot in user.depots if depot.active]
    else:
        depots = geo.depots(session)
    return sorted(depots, key=_own_first)
