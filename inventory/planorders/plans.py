"""A run's plan read into plain data: what to move, call off, produce, buy and rotate.

A run stores the optimizer's input and the JSON its command line printed; both are read here
as plain dicts, checked for the fields the orders need, and joined (a shipment's source kind
and a purchase's price come from the input). Plain Python: no database.
"""

from dataclasses import dataclass, field

from inventory.errors import InvalidInput, StateConflict
from inventory.planorders.ids import CAPACITY, CONTRACT, PHYSICAL

#: statuses of a result that holds a plan (a time-limited solve may stop at a feasible one)
PLANNED = ("optimal", "feasible")


@dataclass(frozen=True)
class Move:
    """Units of an item from a source (a depot, an agreement, a capacity) to a place."""

    source: str
    destination: str
    item: str
    quantity: int
    #: hours until the plan has the last unit arrive (dispatch only)
    arrival_hours: float | None = None


@dataclass(frozen=True)
class Source:
    """A dispatch source as the run's input describes it."""

    id: str
    kind: str
    ramp_hours: float = 0.0
    rate_per_hour: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Buy:
    item: str
    quantity: int
    unit_cost: float | None
    #: the depot it goes to (pre-positioning)
    depot: str | None = None
    #: the period it is ordered in, 0 being the first month (rotation)
    period: int | None = None


@dataclass(frozen=True)
class Rotate:
    #: a lot of the input, or one the plan buys (``new:ITEM:period``), which no order names
    lot: str
    period: int
    outlet: str
    quantity: int


@dataclass
class DispatchOrders:
    shipments: list[Move]
    sources: dict[str, Source]

    def by_kind(self, kind: str) -> list[Move]:
        """Return the shipments from sources of one kind."""
        return [s for s in self.shipments if self.sources[s.source].kind == kind]


@dataclass
class PrepositionOrders:
    relocations: list[Move]
    purchases: list[Buy]


@dataclass
class RotationOrders:
    rotations: list[Rotate]
    purchases: list[Buy]


def _bad(path: str, message: str) -> InvalidInput:
    return InvalidInput(f"方案与其输入不符：{path} {message}。",
                        f"The plan does not match its input: {path} {message}.",
                        {path: [message]})


def _rows(document: dict, key: str, path: str) -> list[dict]:
    rows = document.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise _bad(path, "must be a list of objects")
    return rows


def _text(row: dict, key: str, path: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value:
        raise _bad(f"{path}.{key}", "must be a non-empty text")
    return value


def _units(row: dict, key: str, path: str, least: int = 1) -> int:
    value = row.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise _bad(f"{path}.{key}", f"must be a whole number ≥ {least}")
    return value


def _number(value, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(path, "must be a number")
    return float(value)


def ensure_planned(result) -> None:
    """:raise StateConflict: unless the result holds a plan (optimal or feasible)."""
    status = result.get("status") if isinstance(result, dict) else None
    if status not in PLANNED:
        raise StateConflict(f"该方案没有可执行的计划（状态：{status}），不能生成工单。",
                            f"The run holds no plan to carry out (status {status}).",
                            {"run": ["no plan"]})


def _objects(plan_input, plan_result) -> None:
    if not isinstance(plan_input, dict):
        raise _bad("input", "must be an object")
    ensure_planned(plan_result)


def read_dispatch(plan_input: dict, plan_result: dict) -> DispatchOrders:
    """Read a dispatch run: its shipments, each source's kind and production rates."""
    _objects(plan_input, plan_result)
    sources = {}
    for index, row in enumerate(_rows(plan_input, "sources", "sources")):
        path = f"sources[{index}]"
        kind = _text(row, "kind", path)
        if kind not in (PHYSICAL, CONTRACT, CAPACITY):
            raise _bad(f"{path}.kind", "must be physical, contract or capacity")
        rates = row.get("rate_per_hour") or {}
        sources[_text(row, "id", path)] = Source(
            id=row["id"], kind=kind,
            ramp_hours=_number(row.get("ramp_hours"), f"{path}.ramp_hours") or 0.0,
            rate_per_hour={k: _number(v, f"{path}.rate_per_hour.{k}") for k, v in rates.items()}
            if isinstance(rates, dict) else {})
    shipments = []
    for index, row in enumerate(_rows(plan_result, "shipments", "shipments")):
        path = f"shipments[{index}]"
        move = Move(source=_text(row, "source", path), destination=_text(row, "site", path),
                    item=_text(row, "item", path), quantity=_units(row, "quantity", path),
                    arrival_hours=_number(row.get("arrival_hours"), f"{path}.arrival_hours"))
        if move.source not in sources:
            raise _bad(f"{path}.source", f"names {move.source!r}, not a source of the input")
        shipments.append(move)
    return DispatchOrders(shipments, sources)


def read_preposition(plan_input: dict, plan_result: dict) -> PrepositionOrders:
    """Read a pre-positioning run: relocations between depots and purchases with their price."""
    _objects(plan_input, plan_result)
    depots = {_text(row, "id", f"depots[{index}]")
              for index, row in enumerate(_rows(plan_input, "depots", "depots"))}
    prices = plan_input.get("purchase_cost") or {}
    relocations, purchases = [], []
    for index, row in enumerate(_rows(plan_result, "relocations", "relocations")):
        path = f"relocations[{index}]"
        move = Move(source=_text(row, "from", path), destination=_text(row, "to", path),
                    item=_text(row, "item", path), quantity=_units(row, "quantity", path))
        for end in (move.source, move.destination):
            if end not in depots:
                raise _bad(path, f"names {end!r}, not a depot of the input")
        relocations.append(move)
    for index, row in enumerate(_rows(plan_result, "purchases", "purchases")):
        path = f"purchases[{index}]"
        buy = Buy(item=_text(row, "item", path), quantity=_units(row, "quantity", path),
                  unit_cost=_number(prices.get(row.get("item")), f"purchase_cost.{row['item']}"),
                  depot=_text(row, "depot", path))
        if buy.depot not in depots:
            raise _bad(f"{path}.depot", f"names {buy.depot!r}, not a depot of the input")
        purchases.append(buy)
    return PrepositionOrders(relocations, purchases)


def _bought(lot: str, items) -> bool:
    """Tell whether a rotation names a lot the plan buys (``new:ITEM:period``)."""
    prefix, _, rest = lot.partition(":")
    return prefix == "new" and rest.rpartition(":")[0] in items


def read_rotation(plan_input: dict, plan_result: dict) -> RotationOrders:
    """Read a rotation run: which lots leave through which outlet in which period, what to buy."""
    _objects(plan_input, plan_result)
    costs = {_text(row, "code", f"items[{index}]"): _number(row.get("unit_cost"),
                                                          f"items[{index}].unit_cost")
             for index, row in enumerate(_rows(plan_input, "items", "items"))}
    lots = {_text(row, "id", f"lots[{index}]")
            for index, row in enumerate(_rows(plan_input, "lots", "lots"))}
    rotations, purchases = [], []
    for index, row in enumerate(_rows(plan_result, "rotations", "rotations")):
        path = f"rotations[{index}]"
        step = Rotate(lot=_text(row, "lot", path), period=_units(row, "period", path, 0),
                      outlet=_text(row, "outlet", path), quantity=_units(row, "quantity", path))
        if step.lot not in lots and not _bought(step.lot, costs):
            raise _bad(f"{path}.lot", f"names {step.lot!r}, not a lot of the input")
        rotations.append(step)
    for index, row in enumerate(_rows(plan_result, "purchases", "purchases")):
        path = f"purchases[{index}]"
        item = _text(row, "item", path)
        if item not in costs:
            raise _bad(f"{path}.item", f"names {item!r}, not an item of the input")
        purchases.append(Buy(item=item, quantity=_units(row, "quantity", path),
                             unit_cost=costs[item], period=_units(row, "period", path, 0)))
    return RotationOrders(rotations, purchases)
