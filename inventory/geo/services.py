"""Depot services: the bureau keeps each depot's details; the application log keeps what they
were before each change."""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from inventory import audit
from inventory.api.fields import is_free_of_control_characters
from inventory.auth.permissions import DEPOT_EDITORS, ensure_role
from inventory.db import fetch_one
from inventory.errors import InvalidInput, NotFound
from inventory.geo.models import DEPOT_FIELD_LABELS, DEPOT_KINDS, Depot
from inventory.uow import unit_of_work

#: loading goods out takes hours, not days: a larger figure is a slip (minutes typed as hours)
MAX_HANDLING_HOURS = 72
#: far beyond any county depot (the demo county's warehouse holds 5,200 m³), so only slips stop
MAX_CAPACITY_M3 = 10_000_000


class DepotDetailsInvalid(InvalidInput):
    """New details of a depot break a rule; ``problems`` maps each field to (Chinese, English)."""

    def __init__(self, problems: dict[str, tuple[str, str]]):
        zh = "；".join(f"{DEPOT_FIELD_LABELS.get(field, field)}{text}"
                      for field, (text, _) in problems.items())
        en = "; ".join(f"{field} {text}" for field, (_, text) in problems.items())
        super().__init__(f"储备库信息有误：{zh}。", f"Invalid depot details: {en}.",
                         {field: [text] for field, (_, text) in problems.items()})
        self.problems = problems


class _Refused(Exception):
    """One field's value breaks its rule: args are the Chinese and English reasons."""


def _text(limit: int, *, required: bool = False) -> Callable:
    def clean(value):
        if value is not None and not isinstance(value, str):
            raise _Refused("须为文字", "must be text")
        value = (value or "").strip()
        if not value:
            if required:
                raise _Refused("不能为空", "cannot be empty")
            return None
        if len(value) > limit:
            raise _Refused(f"不能超过 {limit} 个字", f"must have at most {limit} characters")
        if not is_free_of_control_characters(value):
            raise _Refused("含有控制字符", "contains control characters")
        return value
    return clean


def _number(lowest: int, highest: int, places: int, *, required: bool = False) -> Callable:
    """Check a number's range and round it to the places its column keeps."""
    def clean(value):
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise _Refused("不能为空", "cannot be empty")
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise _Refused("须为数字", "must be a number") from None
        if not number.is_finite() or not lowest <= number <= highest:
            raise _Refused(f"须在 {lowest} 至 {highest} 之间",
                           f"must be between {lowest} and {highest}")
        return number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return clean


def _kind(value):
    if value not in DEPOT_KINDS:
        raise _Refused("须为政府储备库、企业代储或社区储备点",
                       "must be one of " + ", ".join(DEPOT_KINDS))
    return value


def _flag(value):
    if not isinstance(value, bool):
        raise _Refused("须为是或否", "must be true or false")
    return value


#: the details the bureau may change, each with the rule that cleans its new value
EDITABLE: dict[str, Callable] = {
    "name": _text(100, required=True),
    "kind": _kind,
    "capacity_m3": _number(0, MAX_CAPACITY_M3, 2),
    "handling_hours": _number(0, MAX_HANDLING_HOURS, 2, required=True),
    "latitude": _number(-90, 90, 6),
    "longitude": _number(-180, 180, 6),
    "address": _text(200),
    "keeper_name": _text(50),
    "keeper_phone": _text(30),
    "active": _flag,
}


def cleaned_changes(changes: dict) -> dict:
    """Return new details as they are stored: text stripped (empty is none), numbers rounded.

    :raise DepotDetailsInvalid: naming every field that breaks its rule.
    """
    cleaned, problems = {}, {}
    for field, value in changes.items():
        if field not in EDITABLE:
            problems[field] = ("不可修改", "cannot be changed")
            continue
        try:
            cleaned[field] = EDITABLE[field](value)
        except _Refused as refused:
            problems[field] = refused.args
    if problems:
        raise DepotDetailsInvalid(problems)
    return cleaned


def update_depot(session, actor, code: str, **changes) -> Depot:
    """Change a depot's details and record each changed field, before and after, in the log.

    Fields left out keep their values; a change to what the depot already holds records nothing.

    :raise Forbidden: unless the actor is the bureau or an admin.
    :raise DepotDetailsInvalid: naming every field that breaks its rule; nothing is changed.
    :raise NotFound: when no depot has the code.
    """
    ensure_role(actor, *DEPOT_EDITORS)
    cleaned = cleaned_changes(changes)
    with unit_of_work(session):
        depot = _locked_depot(session, code)
        _check_coordinates(depot, cleaned)
        before = {field: getattr(depot, field) for field, value in cleaned.items()
                  if getattr(depot, field) != value}
        if before:
            after = {field: cleaned[field] for field in before}
            for field, value in after.items():
                setattr(depot, field, value)
            audit.record(session, actor, "depot.update", "depot", depot.id,
                         before=_plain(before), after=_plain(after))
    return depot


def _locked_depot(session, code: str) -> Depot:
    depot = fetch_one(session, Depot, Depot.code == code, lock=True)
    if depot is None:
        raise NotFound(f"没有编号为 {code} 的储备库。", f"No depot with code {code}.",
                       {"depot": ["unknown depot"]})
    return depot


def _check_coordinates(depot: Depot, cleaned: dict) -> None:
    """Travel is estimated from both coordinates, so a change may not leave only one of them."""
    if "latitude" not in cleaned and "longitude" not in cleaned:
        return
    latitude = cleaned.get("latitude", depot.latitude)
    longitude = cleaned.get("longitude", depot.longitude)
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        raise DepotDetailsInvalid({missing: ("须与另一坐标同时填写",
                                             "goes together with the other coordinate")})


def _plain(values: dict) -> dict:
    """Numbers as exact strings without trailing zeros, for the log's JSON."""
    return {field: f"{value.normalize():f}" if isinstance(value, Decimal) else value
            for field, value in values.items()}
