"""What distribution adds to the traces: the households a lot's goods (or a shelter's) were
handed to, by distribution number and household code.

A lot's or a shelter's trace is read by every role, so these sections name no recipient: no
name, phone or ID number, only the household code the ledger already holds and the size of
the household. Who a household is stays on the recipient trace (bureau, admins, auditors).
"""

from sqlalchemy import select

from inventory import clock
from inventory.base import N_
from inventory.distribution.models import Distribution
from inventory.trace.sections import Section

#: the prefix of a distribution's number, the reference of its ledger rows
NUMBER_PREFIX = "FF-"
HEADERS = [N_("发放单号"), N_("时间"), N_("发放点"), N_("户编码"), N_("家庭人口"),
           N_("物资及数量"), N_("经办人")]


def distributions_by_reference(session, movements) -> list[Distribution]:
    """Return the distributions that handed-out ledger rows name by reference, in time
    order (rows handed out by another document are left out)."""
    numbers = {m.reference for m in movements
               if m.reference and m.reference.startswith(NUMBER_PREFIX)}
    if not numbers:
        return []
    return list(session.scalars(select(Distribution).where(Distribution.number.in_(numbers))
                                .order_by(Distribution.occurred_at, Distribution.id)))


def _items(record: Distribution, lot_ids: set[int] | None) -> str:
    """The record's items and quantities, from the traced lots only when they are given."""
    totals: dict[str, list] = {}
    for line in record.lines:
        if lot_ids is None or line.lot_id in lot_ids:
            held = totals.setdefault(line.item.code, [line.item, 0])
            held[1] += line.quantity
    return "；".join(f"{item.name_zh}（{code}）×{quantity}"
                    for code, (item, quantity) in totals.items())


def _section(records: list[Distribution], lot_ids: set[int] | None) -> Section | None:
    if not records:
        return None
    rows = [[record.number, clock.local_time(record.occurred_at).isoformat(timespec="minutes"),
             f"{record.depot.name}（{record.depot.code}）", record.household_code,
             str(record.household_size), _items(record, lot_ids),
             record.keeper.display_name or record.keeper.username] for record in records]
    return Section(key="distributions", title=N_("发放到户"), headers=HEADERS, rows=rows,
                   links=[("distribution.record", {"distribution_id": record.id})
                          for record in records])


def lot_distributions_section(session, lot_trace) -> Section | None:
    """The distributions that handed out the traced lots' goods: number, time, place,
    household code and size, the lots' items and quantities, the keeper; None when none."""
    records = distributions_by_reference(session, [step.movement
                                                   for step in lot_trace.handed_out])
    return _section(records, {lot.id for lot in lot_trace.lots})


def shelter_distributions_section(session, shelter_trace) -> Section | None:
    """The distributions made at the shelter's receiving point, as for a lot; None when
    none."""
    return _section(distributions_by_reference(session, shelter_trace.handed_out), None)
