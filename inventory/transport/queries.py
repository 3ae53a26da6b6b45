"""Reads of transport: the registers, goods in transit with their expected arrival, measured
trip times beside the travel table, and the fleet a dispatch plan may count on.

Road hours for a load come from the travel table as planning reads it: depot → shelter
(``ShelterRoutes``: recorded, else the depot → area figure, else from coordinates) when the
destination is a shelter's receiving point, else depot → the destination's area
(``Geography.depot_travel``). A supplier's delivery is expected when its call-off says.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from inventory.contracts.models import CallOff
from inventory.db import utcnow
from inventory.geo.models import Depot
from inventory.shelters.models import Shelter
from inventory.shelters.queries import ShelterRoutes
from inventory.transfers.models import Transfer
from inventory.transport.models import Carrier, TransportAgreement, Vehicle, Waybill


def list_carriers(session, *, kind: str | None = None, active: bool | None = None
                  ) -> list[Carrier]:
    """Return the carriers by code."""
    stmt = select(Carrier).order_by(Carrier.code)
    if kind is not None:
        stmt = stmt.where(Carrier.kind == kind)
    if active is not None:
        stmt = stmt.where(Carrier.active.is_(active))
    return list(session.scalars(stmt))


def list_vehicles(session, *, carrier: str | None = None, depot: str | None = None,
                  active: bool | None = None) -> list[Vehicle]:
    """Return the vehicles by carrier and plate."""
    stmt = (select(Vehicle).join(Carrier, Carrier.id == Vehicle.carrier_id)
            .order_by(Carrier.code, Vehicle.plate))
    if carrier is not None:
        stmt = stmt.where(Carrier.code == carrier)
    if depot is not None:
        stmt = stmt.where(Vehicle.depot_id.in_(select(Depot.id).where(Depot.code == depot)))
    if active is not None:
        stmt = stmt.where(Vehicle.active.is_(active))
    return list(session.scalars(stmt))


def list_agreements(session, *, carrier: str | None = None, valid_on: date | None = None
                    ) -> list[TransportAgreement]:
    """Return the transport agreements by number; ``valid_on`` keeps those active that day."""
    stmt = select(TransportAgreement).order_by(TransportAgreement.number)
    if carrier is not None:
        stmt = stmt.join(Carrier, Carrier.id == TransportAgreement.carrier_id).where(
            Carrier.code == carrier)
    if valid_on is not None:
        stmt = stmt.where(TransportAgreement.active.is_(True),
                          TransportAgreement.valid_from <= valid_on,
                          TransportAgreement.valid_until >= valid_on)
    return list(session.scalars(stmt))


def list_waybills(session, *, depot: str | None = None, limit: int = 200) -> list[Waybill]:
    """Return the newest waybills, from or to the depot when one is given."""
    stmt = select(Waybill).order_by(Waybill.id.desc()).limit(limit)
    if depot is not None:
        ids = select(Depot.id).where(Depot.code == depot)
        stmt = stmt.where(or_(Waybill.from_depot_id.in_(ids), Waybill.to_depot_id.in_(ids)))
    return list(session.scalars(stmt))


# -- road hours ----------------------------------------------------------------------

class RoadTable:
    """The travel table, read once, for the road hours of many loads."""

    def __init__(self, session):
        self.routes = ShelterRoutes(session)
        self.shelter_of = dict(session.execute(select(Shelter.depot_id, Shelter.id)).all())
        self.area_of = dict(session.execute(select(Depot.id, Depot.area_id)).all())

    def hours(self, from_depot_id: int | None, to_depot_id: int) -> float | None:
        """Road hours from one depot to another as the table gives them (None: unknown)."""
        if from_depot_id is None or from_depot_id not in self.routes.geo.depots:
            return None
        shelter_id = self.shelter_of.get(to_depot_id)
        if shelter_id is not None:
            return self.routes.route(from_depot_id, shelter_id).hours
        return self.routes.geo.depot_travel(from_depot_id, self.area_of[to_depot_id])


# -- goods in transit -----------------------------------------------------------------

@dataclass(frozen=True)
class InTransit:
    """One load on the road: a transfer dispatched, or a supplier's delivery with a waybill."""

    kind: str  # transfer or call_off
    reference: str  # the transfer's number, or the agreement's number for a delivery
    transfer: Transfer | None
    call_off: CallOff | None
    waybill: Waybill | None
    from_depot: Depot | None
    #: who sends it when it is no depot: the supplier of a call-off
    sender: str
    to_depot: Depot
    departed_at: datetime
    #: the road hours the table gives (None: unknown, or a supplier's delivery)
    road_hours: float | None
    expected_at: datetime | None
    arrived_at: datetime | None
    overdue: bool
    #: what it carries, e.g. [("12平方米单帐篷", 20, "顶")]
    goods: list[tuple[str, int, str]]


def in_transit(session, *, depot: str | None = None, overdue_only: bool = False,
               now: datetime | None = None) -> list[InTransit]:
    """Return the loads on the road (transfers dispatched and not yet received, deliveries
    with a waybill still expected), soonest expected first; ``depot`` keeps those from or to
    it. A load is overdue when its expected arrival has passed and no arrival was recorded."""
    now = now or utcnow()
    table = RoadTable(session)
    depot_id = None
    if depot is not None:
        depot_id = session.scalar(select(Depot.id).where(Depot.code == depot)) or -1
    found: list[InTransit] = []
    transfers = select(Transfer).where(Transfer.status == "dispatched")
    if depot_id is not None:
        transfers = transfers.where(or_(Transfer.from_depot_id == depot_id,
                                        Transfer.to_depot_id == depot_id))
    waybills = {w.transfer_id: w for w in session.scalars(
        select(Waybill).where(Waybill.transfer_id.in_(transfers.with_only_columns(Transfer.id))))}
    for transfer in session.scalars(transfers):
        waybill = waybills.get(transfer.id)
        departed = waybill.departed_at if waybill else transfer.dispatched_at
        hours = table.hours(transfer.from_depot_id, transfer.to_depot_id)
        expected = None if hours is None else departed + timedelta(hours=hours)
        goods = _goods([(line.item, line.quantity) for line in transfer.lines])
        found.append(_load("transfer", transfer.number, transfer, None, waybill,
                           transfer.from_depot, transfer.from_depot.name, transfer.to_depot,
                           departed, hours, expected, goods, now))
    deliveries = (select(Waybill).join(CallOff, CallOff.id == Waybill.call_off_id)
                  .where(CallOff.status == "expected"))
    if depot_id is not None:
        deliveries = deliveries.where(Waybill.to_depot_id == depot_id)
    for waybill in session.scalars(deliveries):
        call_off = waybill.call_off
        agreement = call_off.agreement
        goods = _goods([(agreement.item, call_off.quantity)])
        found.append(_load("call_off", agreement.number, None, call_off, waybill, None,
                           agreement.supplier, waybill.to_depot, waybill.departed_at, None,
                           call_off.expected_at, goods, now))
    if overdue_only:
        found = [load for load in found if load.overdue]
    far_future = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(found, key=lambda load: (load.expected_at or far_future, load.reference))


def _goods(lines) -> list[tuple[str, int, str]]:
    totals: dict[str, list] = {}
    for item, quantity in lines:
        held = totals.setdefault(item.code, [item.name_zh, 0, item.unit])
        held[1] += quantity
    return [tuple(value) for _, value in sorted(totals.items())]


def _load(kind, reference, transfer, call_off, waybill, from_depot, sender, to_depot, departed,
          hours, expected, goods, now) -> InTransit:
    arrived = waybill.arrived_at if waybill else None
    overdue = arrived is None and expected is not None and expected < now
    return InTransit(kind, reference, transfer, call_off, waybill, from_depot, sender, to_depot,
                     departed, hours, expected, arrived, overdue, goods)


def expected_arrival(session, waybill: Waybill, table: RoadTable | None = None
                     ) -> datetime | None:
    """Return when the waybill's load is expected at its destination, by the travel table
    (pass ``table`` to read it once for many waybills)."""
    if waybill.call_off_id is not None:
        return waybill.call_off.expected_at
    hours = (table or RoadTable(session)).hours(waybill.from_depot_id, waybill.to_depot_id)
    return None if hours is None else waybill.departed_at + timedelta(hours=hours)


# -- measured trip times ---------------------------------------------------------------

@dataclass(frozen=True)
class TripTimes:
    """Measured trips on one route beside the travel table's figure."""

    from_depot: Depot
    to_depot: Depot
    #: the table's figure (None: unknown)
    table_hours: float | None
    count: int
    median_hours: float
    last_hours: float
    last_arrived_at: datetime

    @property
    def difference(self) -> float | None:
        """Median measured minus the table's figure."""
        return None if self.table_hours is None else round(self.median_hours - self.table_hours, 2)


def trip_times(session, *, depot: str | None = None) -> list[TripTimes]:
    """Return the measured trips by route (from and to depot), from the waybills that arrived;
    ``depot`` keeps the routes from it."""
    stmt = (select(Waybill).where(Waybill.arrived_at.is_not(None),
                                  Waybill.from_depot_id.is_not(None))
            .order_by(Waybill.arrived_at))
    if depot is not None:
        stmt = stmt.where(Waybill.from_depot_id.in_(select(Depot.id).where(Depot.code == depot)))
    routes: dict[tuple[int, int], list[Waybill]] = {}
    for waybill in session.scalars(stmt):
        routes.setdefault((waybill.from_depot_id, waybill.to_depot_id), []).append(waybill)
    if not routes:
        return []
    table = RoadTable(session)
    found = []
    for (from_id, to_id), trips in routes.items():
        hours = [trip.trip_hours for trip in trips]
        last = trips[-1]
        found.append(TripTimes(last.from_depot, last.to_depot, table.hours(from_id, to_id),
                               len(trips), round(statistics.median(hours), 2), hours[-1],
                               last.arrived_at))
    return sorted(found, key=lambda t: (t.from_depot.code, t.to_depot.code))


# -- the fleet a plan may count on -------------------------------------------------------

@dataclass(frozen=True)
class Fleet:
    """What the vehicles that can leave a depot within a deadline carry in one trip."""

    depot_code: str
    vehicles: int
    payload_kg: float
    volume_m3: float


def fleet_by_depot(session, day: date, deadline_hours: float) -> dict[str, Fleet]:
    """Return, by depot code, one trip of the vehicles that can be loaded and leave it within
    the deadline: its own active vehicles (active carriers) at once, and the vehicles of the
    agreements valid on the day whose response time plus the depot's handling time fit."""
    totals: dict[str, list[float]] = {}

    def add(code: str, count: int, payload, volume) -> None:
        held = totals.setdefault(code, [0, 0.0, 0.0])
        held[0] += count
        held[1] += count * float(payload)
        held[2] += count * float(volume)

    for vehicle, code in session.execute(
            select(Vehicle, Depot.code).join(Depot, Depot.id == Vehicle.depot_id)
            .join(Carrier, Carrier.id == Vehicle.carrier_id)
            .where(Vehicle.active.is_(True), Carrier.active.is_(True), Depot.active.is_(True))):
        add(code, 1, vehicle.payload_kg, vehicle.volume_m3)
    for agreement in list_agreements(session, valid_on=day):
        depot = agreement.depot
        if not (depot.active and agreement.carrier.active):
            continue
        if float(agreement.response_hours) + float(depot.handling_hours) <= deadline_hours:
            add(depot.code, agreement.vehicles, agreement.payload_kg, agreement.volume_m3)
    return {code: Fleet(code, int(count), round(payload, 1), round(volume, 2))
            for code, (count, payload, volume) in totals.items()}


@dataclass(frozen=True)
class Measured:
    """Trips measured on a depot → area road of the travel table."""

    count: int
    median_hours: float
    last_hours: float


def measured_to_areas(session) -> dict[tuple[int, int], Measured]:
    """Return the trips measured from each depot to each area (the travel table's routes),
    by (depot id, area id): every arrived waybill to a depot in that area."""
    trips: dict[tuple[int, int], list[float]] = {}
    for waybill, area_id in session.execute(
            select(Waybill, Depot.area_id).join(Depot, Depot.id == Waybill.to_depot_id)
            .where(Waybill.arrived_at.is_not(None), Waybill.from_depot_id.is_not(None))
            .order_by(Waybill.arrived_at)):
        trips.setdefault((waybill.from_depot_id, area_id), []).append(waybill.trip_hours)
    return {route: Measured(len(hours), round(statistics.median(hours), 2), hours[-1])
            for route, hours in trips.items()}
