"""The outlets register: the bureau (or a planner, an admin) defines where rotated stock goes.

Each change is kept in the application log with the values before and after.
"""

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from inventory import audit
from inventory.auth.permissions import ensure_role
from inventory.catalogue.models import Item
from inventory.db import utcnow
from inventory.errors import InvalidInput, StateConflict
from inventory.outlets import queries
from inventory.outlets.models import OUTLET_KINDS, Outlet
from inventory.uow import unit_of_work

#: roles that keep the register; every role reads it
EDITORS = ("admin", "bureau", "planner")
EDITABLE = ("name", "kind", "item", "capacity_per_month", "value_per_unit", "active")
MAX_CAPACITY = 1_000_000_000
MAX_VALUE = Decimal("1000000000")


def snapshot(outlet: Outlet) -> dict:
    """Return the outlet's fields as plain JSON values, for the audit log."""
    return {"name": outlet.name, "kind": outlet.kind, "item": outlet.item.code,
            "capacity_per_month": outlet.capacity_per_month,
            "value_per_unit": float(outlet.value_per_unit), "active": outlet.active}


def create_outlet(session, actor, *, name: str, kind: str, item: str, capacity_per_month,
                  value_per_unit=0, active: bool = True) -> Outlet:
    """Define an outlet.

    :raise InvalidInput: naming each field that does not fit (an unknown item among them).
    :raise StateConflict: when the outlet already takes that item.
    """
    ensure_role(actor, *EDITORS)
    with unit_of_work(session):
        outlet = Outlet(created_at=utcnow(), updated_at=utcnow())
        _apply(session, outlet, {"name": name, "kind": kind, "item": item,
                                 "capacity_per_month": capacity_per_month,
                                 "value_per_unit": value_per_unit, "active": active})
        session.add(outlet)
        session.flush()
        audit.record(session, actor, "outlet.create", "outlet", outlet.id,
                     before=None, after=snapshot(outlet))
    return outlet


def update_outlet(session, actor, outlet_id: int, **changes) -> Outlet:
    """Change an outlet; scenarios keep the copy they took when they were saved.

    :raise NotFound: for an unknown outlet.
    """
    ensure_role(actor, *EDITORS)
    with unit_of_work(session):
        outlet = queries.get_outlet(session, outlet_id)
        before = snapshot(outlet)
        _apply(session, outlet, {key: value for key, value in changes.items()
                                 if key in EDITABLE and value is not None})
        after = snapshot(outlet)
        changed = [key for key in after if after[key] != before[key]]
        if changed:
            outlet.updated_at = utcnow()
            audit.record(session, actor, "outlet.update", "outlet", outlet.id,
                         before={key: before[key] for key in changed},
                         after={key: after[key] for key in changed})
    return outlet


def _apply(session, outlet: Outlet, values: dict) -> None:
    """Check the values and set them on the outlet (the caller's rollback undoes them when
    they are refused).

    :raise InvalidInput: naming every field that does not fit.
    """
    with session.no_autoflush:  # half-set values must not reach the database
        _check_and_set(session, outlet, values)


def _check_and_set(session, outlet: Outlet, values: dict) -> None:
    errors = _set_values(session, outlet, values)
    if errors:
        raise InvalidInput("轮换去向未保存："
                           + "、".join(_LABELS_ZH[k] for k in errors) + "填写有误。",
                           "The outlet was not saved: check " + ", ".join(errors) + ".", errors)
    clash = session.scalar(select(Outlet.id).where(
        Outlet.name == outlet.name, Outlet.item_id == outlet.item_id,
        Outlet.id != (outlet.id or 0)))
    if clash is not None:
        raise StateConflict(f"轮换去向“{outlet.name}”已登记了这种物资。",
                            f"The outlet {outlet.name} already takes this item.",
                            {"name": ["already exists"]})


def _set_values(session, outlet: Outlet, values: dict) -> dict[str, list[str]]:
    """Set each given field on the outlet; return the errors of those that do not fit."""
    errors: dict[str, list[str]] = {}
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name or len(name) > 100:
            errors["name"] = ["1 to 100 characters"]
        outlet.name = name
    if "kind" in values:
        if values["kind"] not in OUTLET_KINDS:
            errors["kind"] = ["canteen, drill, market or other"]
        outlet.kind = values["kind"]
    if "item" in values:
        item = session.scalar(select(Item).where(Item.code == (values["item"] or "")))
        if item is None:
            errors["item"] = ["unknown item"]
        else:
            outlet.item_id, outlet.item = item.id, item
    if "capacity_per_month" in values:
        capacity = _whole(values["capacity_per_month"])
        if capacity is None or not 0 <= capacity <= MAX_CAPACITY:
            errors["capacity_per_month"] = ["must be a whole number ≥ 0"]
        outlet.capacity_per_month = capacity
    if "value_per_unit" in values:
        value = _money(values["value_per_unit"])
        if value is None or abs(value) > MAX_VALUE:
            errors["value_per_unit"] = ["must be a number"]
        outlet.value_per_unit = value
    if "active" in values:
        outlet.active = bool(values["active"])
    return errors


_LABELS_ZH = {"name": "名称", "kind": "类型", "item": "物资", "capacity_per_month": "每月可消纳量",
              "value_per_unit": "单位回收价值"}


def _whole(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


MAX_MONEY = Decimal(10**9)


def _money(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    # A billion yuan a unit is no outlet's price; 1e300 would not even round to the fen.
    return (number.quantize(Decimal("0.01"))
            if number.is_finite() and abs(number) < MAX_MONEY else None)
