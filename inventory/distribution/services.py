"""Distribution services: stock handed to households at a shelter or village point.

Stock leaves through the stock services' ledger rows (kind ``issue``), chosen
first-expiry-first-out, with the distribution number as reference and a household code as
recipient: the ledger, which auditors export, holds no name, phone or ID number.
"""

import hashlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from inventory import audit, clock
from inventory.catalogue.queries import get_item
from inventory.db import backend, utcnow
from inventory.distribution import domain, queries
from inventory.distribution.models import (
    Confirmation,
    Distribution,
    DistributionBatch,
    DistributionLine,
)
from inventory.errors import Forbidden, InvalidInput, StateConflict
from inventory.geo.queries import get_depot
from inventory.stock import domain as stock_domain
from inventory.stock import services as stock
from inventory.uow import unit_of_work

log = logging.getLogger(__name__)

#: the most items one household's distribution may list
MAX_ITEMS = 20
MAX_QUANTITY = 100_000
#: roles that hand out stock anywhere; keepers hand it out at their own depots
ANYWHERE = ("admin", "bureau")


def ensure_can_distribute(user, depot) -> None:
    """:raise Forbidden: unless the user is the bureau, an admin, or the depot's keeper."""
    if user.role in ANYWHERE:
        return
    if user.role == "keeper" and any(d.id == depot.id for d in user.depots):
        return
    raise Forbidden(f"您无权在 {depot.name}（{depot.code}）发放物资。",
                    f"You may not distribute stock at {depot.name} ({depot.code}).")


def checked_items(items) -> list[tuple[str, int]]:
    """Return the (item code, quantity) pairs asked for.

    :raise InvalidInput: for none, too many, an item twice or a quantity not positive.
    """
    pairs = [((line or {}).get("item"), (line or {}).get("quantity")) for line in items or []]
    if not 1 <= len(pairs) <= MAX_ITEMS:
        raise InvalidInput(f"请列出 1–{MAX_ITEMS} 种物资。",
                           f"List 1 to {MAX_ITEMS} items.", {"items": ["1 to 20 items"]})
    codes = [code for code, _ in pairs]
    if len(set(codes)) != len(codes):
        raise InvalidInput("同一物资只能列一次。", "List each item once.",
                           {"items": ["an item is listed twice"]})
    for code, quantity in pairs:
        if not isinstance(code, str) or not code:
            raise InvalidInput("请填写物资编码。", "Give each item's code.", {"items": ["item"]})
        if isinstance(quantity, bool) or not isinstance(quantity, int) \
                or not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidInput("数量须为正整数。", "Quantity must be a positive whole number.",
                               {"items": [f"{code}: quantity 1 to {MAX_QUANTITY}"]})
    return pairs


def _store_image(session, actor, image: domain.Image) -> Confirmation:
    row = Confirmation(kind=image.kind, mime=image.mime, data=image.data, size=len(image.data),
                       sha256=hashlib.sha256(image.data).hexdigest(), created_by_id=actor.id,
                       created_at=utcnow())
    session.add(row)
    return row


def create_distribution(session, actor, *, id_key: bytes, depot: str, items: list[dict],
                        name: str = "",
                        household_size: int = 1, phone: str | None = None,
                        id_number: str | None = None, confirmation: dict | None = None,
                        occurred_at: datetime | None = None, confirm_repeat: bool = False,
                        note: str | None = None, key: str | None = None,
                        recipient: domain.Recipient | None = None,
                        batch: DistributionBatch | None = None) -> Distribution:
    """Hand stock to a household (发放): a record and its ledger rows, lots chosen
    first-expiry-first-out. A batch passes its recipient already masked and hashed;
    ``id_key`` keys the hash of ID numbers (and of name and phone without one).

    :raise RepeatDistribution: when the household received an item within its ration's
        duration and ``confirm_repeat`` is not set.
    :raise InsufficientStock: when the depot has too little usable stock of an item.
    :raise Forbidden: unless the actor may distribute at the depot.
    """
    pairs = checked_items(items)
    who = recipient or domain.recipient(id_key, name=name, household_size=household_size,
                                        phone=phone, id_number=id_number)
    image = None
    if batch is None:
        if not confirmation:
            raise InvalidInput("请让领取人签名或拍摄签字照片。",
                               "The recipient's confirmation (signature or photo) is required.",
                               {"confirmation": ["required"]})
        image = domain.decode_confirmation(confirmation.get("kind"), confirmation.get("image"))
    with unit_of_work(session):
        depot_row = get_depot(session, depot)
        ensure_can_distribute(actor, depot_row)
        if key is not None:
            done = session.scalar(select(Distribution).where(Distribution.idempotency_key == key))
            if done is not None:
                return done
        found = queries.items_by_code(session, [code for code, _ in pairs])
        for code, _ in pairs:
            if code not in found:
                get_item(session, code)  # raises NotFound naming the code
        when = occurred_at or utcnow()
        household_key = who.household_key(id_key)
        _lock_household(session, household_key)
        _check_repeats(session, household_key, [found[c] for c, _ in pairs], when,
                       confirm_repeat)
        record = Distribution(
            depot_id=depot_row.id, occurred_at=when, recorded_at=utcnow(), keeper_id=actor.id,
            recipient_name=who.name, household_size=who.household_size, phone=who.phone,
            id_masked=who.id_masked, id_hash=who.id_hash, household_key=household_key,
            household_code=domain.household_code(household_key),
            confirmation_kind=image.kind if image else "sheet",
            batch_id=batch.id if batch else None,
            idempotency_key=key, repeat_confirmed=bool(confirm_repeat), note=note or None)
        if image is not None:
            record.confirmation = _store_image(session, actor, image)
        session.add(record)
        session.flush()
        record.number = f"FF-{clock.local_date(when):%Y%m%d}-{record.id:06d}"
        _issue_lines(session, actor, record, depot_row, [(found[c], q) for c, q in pairs],
                     occurred_at, key)
        log.info("distribution %s at %s: %d items", record.number, depot_row.code, len(pairs))
    return record


def _lock_household(session, household_key: str) -> None:
    """Serve one household at a time (on SQLite writes run one at a time anyway), so that
    two phones handing the same household its ration at once cannot both pass the repeat
    check: the second waits for the first to commit, then sees it."""
    connection = session.connection()
    backend(connection).serialise(connection, int(household_key[:15], 16))


def _check_repeats(session, household_key: str, items, when: datetime, confirmed: bool) -> None:
    hours = queries.ration_hours(session, [item.id for item in items])
    if not hours:
        return
    window = timedelta(hours=max(hours.values()))
    earlier = queries.earlier_rations(session, household_key, list(hours), when - window,
                                      when + window)
    found = {item.code: domain.repeats(earlier.get(item.id, []), when, hours.get(item.id))
             for item in items}
    labels = {item.code: f"{item.name_zh}（{item.code}）" for item in items}
    domain.ensure_not_repeated(found, labels, confirmed)


def _issue_lines(session, actor, record: Distribution, depot, wanted, occurred_at,
                 key: str | None) -> None:
    """Write the ledger rows of a distribution, lot by lot, and its lines."""
    today = clock.local_date(occurred_at) if occurred_at else clock.today()
    index = 0
    for item, quantity in wanted:
        lots = stock.lock_lots(session, depot.id, item.id)
        picks = stock_domain.pick_fefo(lots, quantity, today, f"{item.name_zh}（{item.code}）")
        for pick in picks:
            index += 1
            # A handover sent after later rows of its lot (another phone's, sent first) is
            # dated in the ledger when recorded, with the handover time kept as device_at.
            entry = stock.append_movement(
                session, pick.lot, kind="issue", quantity=-pick.quantity, actor=actor,
                occurred_at=occurred_at, reason="发放", recipient=record.household_code,
                reference=record.number, key=stock.movement_key(key, index))
            session.add(DistributionLine(distribution=record, item_id=item.id, lot_id=pick.lot.id,
                                         quantity=pick.quantity, movement_id=entry.id))


# -- batches ----------------------------------------------------------------


def stage_batch(session, actor, *, id_key: bytes, depot: str, households: list[dict],
                filename: str | None = None) -> DistributionBatch:
    """Stage a households list read from a spreadsheet for its sign-off sheet; ID numbers are
    kept only masked and hashed. Nothing leaves the shelves until it is issued.

    :raise InvalidInput: naming the rows that do not fit.
    """
    from inventory.distribution import batches

    with unit_of_work(session):
        depot_row = get_depot(session, depot)
        ensure_can_distribute(actor, depot_row)
        rows = batches.checked_households(session, id_key, households)
        batch = DistributionBatch(depot_id=depot_row.id, status="staged", households=rows,
                                  filename=filename, created_by_id=actor.id, created_at=utcnow())
        session.add(batch)
        session.flush()
        batch.code = f"FB-{clock.today():%Y%m%d}-{batch.id:04d}"
        log.info("distribution batch %s staged at %s: %d households", batch.code,
                 depot_row.code, len(rows))
    return batch


def issue_batch(session, actor, code: str, *, id_key: bytes, confirm_repeats: bool = False,
                occurred_at: datetime | None = None, key: str | None = None
                ) -> DistributionBatch:
    """Issue a staged batch: one distribution per household, all or none.

    :raise StateConflict: when the batch was issued already.
    :raise RepeatDistribution: when a household received a ration within its duration and
        ``confirm_repeats`` is not set.
    """
    with unit_of_work(session):
        batch = queries.get_batch(session, code)
        ensure_can_distribute(actor, batch.depot)
        if batch.status != "staged":
            raise StateConflict(f"批量发放 {code} 已发放。", f"Batch {code} was issued already.",
                                {"batch": ["issued"]})
        for n, row in enumerate(batch.households, start=1):
            who = domain.Recipient(row["name"], row["household_size"], row.get("phone"),
                                   row.get("id_masked"), row.get("id_hash"))
            create_distribution(session, actor, id_key=id_key, depot=batch.depot.code,
                                items=row["items"],
                                recipient=who, batch=batch, occurred_at=occurred_at,
                                confirm_repeat=confirm_repeats,
                                key=None if key is None else f"{key}/h{n}")
        batch.status, batch.issued_at = "issued", utcnow()
    return batch


def confirm_batch(session, actor, code: str, image: domain.Image) -> DistributionBatch:
    """Keep the photo of a batch's signed sign-off sheet (签字照片)."""
    with unit_of_work(session):
        batch = queries.get_batch(session, code)
        ensure_can_distribute(actor, batch.depot)
        before = batch.confirmation.sha256 if batch.confirmation else None
        batch.confirmation = _store_image(session, actor, image)
        session.flush()
        audit.record(session, actor, "distribution_batch.confirm", "distribution_batch",
                     batch.id, before={"photo": before},
                     after={"photo": batch.confirmation.sha256})
    return batch
