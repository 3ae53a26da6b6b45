"""A county ready for plans, on top of ``factories.make_world``: two shelters, stock with lots
that expire at different times (and one expired, one quarantined), an agreement and a
capacity reserve; and the dispatch input a run would store for it."""

from dataclasses import dataclass, field
from datetime import timedelta

from inventory import clock
from inventory.contracts import services as contracts
from inventory.planorders import ids
from inventory.shelters import services as shelters
from inventory.stock import services as stock


@dataclass
class PlanWorld:
    lots: dict = field(default_factory=dict)
    agreement: object = None
    capacity: object = None


def receive(session, world, depot, item, quantity, code, days=None):
    """Receive a lot that expires in ``days`` (durable when None)."""
    admin = world.users["admin"]
    expires = clock.today() + timedelta(days=days) if days is not None else None
    lot, _ = stock.receive(session, admin, depot=depot, item=item, quantity=quantity,
                           lot_code=code, expires_on=expires, unit_cost=5,
                           accept_expired=days is not None and days < 0)
    return lot


def make_plan_world(session, world) -> PlanWorld:
    """Stock, shelters and reserves for dispatch and rotation plans; committed."""
    bureau, admin = world.users["bureau"], world.users["admin"]
    today = clock.today()
    for code, name in (("BN-01", "县一中体育馆"), ("BN-02", "东关村文化广场")):
        shelters.create_shelter(session, bureau, code=code, name=name, shelter_class="III",
                                capacity_people=300, area="140522")
    plan = PlanWorld()
    plan.lots["T-1"] = receive(session, world, "XZ-01", "SH-TENT-12", 15, "T-1")
    plan.lots["T-2"] = receive(session, world, "XZ-01", "SH-TENT-12", 20, "T-2")
    plan.lots["T-TS"] = receive(session, world, "TS-01", "SH-TENT-12", 8, "T-TS")
    plan.lots["W-LATE"] = receive(session, world, "XZ-01", "FW-WATER-5L", 50, "W-LATE", 400)
    plan.lots["W-SOON"] = receive(session, world, "XZ-01", "FW-WATER-5L", 30, "W-SOON", 40)
    plan.lots["W-MID"] = receive(session, world, "XZ-01", "FW-WATER-5L", 25, "W-MID", 200)
    plan.lots["W-QUAR"] = receive(session, world, "XZ-01", "FW-WATER-5L", 40, "W-QUAR", 10)
    stock.set_lot_status(session, admin, lot=plan.lots["W-QUAR"].id, status="quarantined",
                         reason="抽检")
    plan.lots["W-GONE"] = receive(session, world, "XZ-01", "FW-WATER-5L", 10, "W-GONE", -3)
    plan.agreement = contracts.create_agreement(
        session, bureau, number="XY-2026-001", supplier="某饮用水公司", item="FW-WATER-5L",
        committed_quantity=300, response_hours=4, valid_from=today - timedelta(days=30),
        valid_until=today + timedelta(days=300), unit_price=4.5)
    plan.capacity = contracts.create_capacity(
        session, bureau, enterprise="某帐篷厂", item="SH-TENT-12", rate_per_hour=5,
        ramp_hours=4, max_quantity=200, area="140522", valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=300), unit_price=900)
    session.commit()
    return plan


def dispatch_input(world, plan: PlanWorld, *, demand=None) -> dict:
    """The dispatch input a run would store: sources named as ``inventory.planorders.ids``
    says, usable stock only."""
    usable = {"XZ-01": {"SH-TENT-12": 35, "FW-WATER-5L": 105}, "TS-01": {"SH-TENT-12": 8}}
    demand = demand or {"BN-01": {"SH-TENT-12": 30, "FW-WATER-5L": 150},
                        "BN-02": {"SH-TENT-12": 20, "FW-WATER-5L": 40}}
    contract = ids.agreement_source_id(plan.agreement)
    capacity = ids.capacity_source_id(plan.capacity)
    travel = [("XZ-01", "BN-01", 1), ("XZ-01", "BN-02", 2), ("TS-01", "BN-01", 1.5),
              ("TS-01", "BN-02", 1), (contract, "BN-01", 1), (contract, "BN-02", 1),
              (capacity, "BN-01", 1), (capacity, "BN-02", 1)]
    return {
        "deadline_hours": 10,
        "items": [{"code": "SH-TENT-12", "volume_m3": 0.25}, {"code": "FW-WATER-5L"}],
        "sites": [{"id": site, "demand": wants} for site, wants in demand.items()],
        "sources": [
            {"id": "XZ-01", "kind": "physical", "handling_hours": 1, "stock": usable["XZ-01"]},
            {"id": "TS-01", "kind": "physical", "handling_hours": 1, "stock": usable["TS-01"]},
            {"id": contract, "kind": "contract", "handling_hours": 4,
             "stock": {"FW-WATER-5L": 300}, "unit_cost": {"FW-WATER-5L": 4.5}},
            {"id": capacity, "kind": "capacity", "ramp_hours": 4,
             "rate_per_hour": {"SH-TENT-12": 5}, "max": {"SH-TENT-12": 200},
             "unit_cost": {"SH-TENT-12": 900}},
        ],
        "travel_hours": [{"from": a, "to": b, "hours": h} for a, b, h in travel],
    }


def solve(kind: str, document: dict) -> dict:
    """Solve a run's input with the optimizer and return the JSON its command line prints."""
    from optimizer import schemas
    from optimizer.dispatch import solve_dispatch
    from optimizer.preposition import solve_preposition
    from optimizer.rotation import solve_rotation

    load, solver = {"dispatch": (schemas.load_dispatch, solve_dispatch),
                    "preposition": (schemas.load_preposition, solve_preposition),
                    "rotation": (schemas.load_rotation, solve_rotation)}[kind]
    return solver(load(document)).to_dict()
