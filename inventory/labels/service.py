"""Labels for lots, depots and bins, and resolving a scan to the object it names."""

from flask import current_app, request
from sqlalchemy import select

from inventory.errors import NotFound
from inventory.geo.models import Bin, Depot
from inventory.labels import payload
from inventory.labels.pdf import Label
from inventory.stock.models import Lot
from inventory.transport.models import Waybill


def secret() -> str:
    """Return the key that signs label addresses."""
    return current_app.config["LABEL_SECRET"]


def base_url() -> str:
    """The address printed in labels: PUBLIC_URL, else the one this request came in on."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def label_url(kind: str, object_id: int) -> str:
    """Return the signed address a label of ``kind`` for ``object_id`` carries."""
    return f"{base_url()}/q/{payload.sign(kind, object_id, secret())}"


def lot_label(lot: Lot) -> Label:
    """Return a lot's label: item, lot code, expiry and depot."""
    expiry = f"有效期至 {lot.expires_on:%Y-%m-%d}" if lot.expires_on else "长期储备（无保质期）"
    return Label(url=label_url("lot", lot.id), kind=f"批次 · {lot.item.code}",
                 title=lot.item.name_zh,
                 lines=[f"批次号 {lot.code}", expiry, lot.depot.name])


def depot_label(depot: Depot) -> Label:
    """Return a depot's label."""
    return Label(url=label_url("depot", depot.id), kind="储备库（点）", title=depot.name,
                 lines=[f"编号 {depot.code}", depot.area.name])


def bin_label(bin_: Bin) -> Label:
    """Return a storage bin's label."""
    return Label(url=label_url("bin", bin_.id), kind="库位", title=f"{bin_.code} {bin_.name or ''}",
                 lines=[bin_.depot.name, f"储备库 {bin_.depot.code}"])


MODELS = {"lot": Lot, "depot": Depot, "bin": Bin, "waybill": Waybill}


def resolve(session, text: str):
    """Return (kind, object) for a scanned label.

    :raise InvalidLabel: for a label that is not ours or not intact.
    :raise NotFound: for a label whose object no longer exists.
    """
    target = payload.parse(text, secret())
    found = session.get(MODELS[target.kind], target.id)
    if found is None:
        raise NotFound("标签对应的记录不存在（可能已删除）。",
                       f"The {target.kind} this label names does not exist.")
    return target.kind, found


def lots_by_code(session, code: str, depots: list[int] | None = None) -> list[Lot]:
    """Lots whose code was typed by hand, at the given depots when there are any."""
    query = select(Lot).where(Lot.code == code.strip())
    if depots:
        query = query.where(Lot.depot_id.in_(depots))
    return session.scalars(query.order_by(Lot.depot_id, Lot.id).limit(50)).all()
