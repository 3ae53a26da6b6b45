"""Marshmallow schemas of the three input documents, and loaders that return plain problems.

Every error names the field by its path, e.g. ``sources[3].stock.TENT-12: must be ≥ 0``.
The schemas check each field; the loaders then check what spans fields (unknown item codes,
duplicate ids, travel pairs between places that do not exist).
"""

import math

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from optimizer.checks import (
    Checks,
    check_limits,
    check_sites,
    check_sources,
    check_travel,
    flatten_errors,
)
from optimizer.errors import InvalidInput
from optimizer.problems import (
    SOURCE_KINDS,
    Depot,
    DispatchProblem,
    Item,
    Lot,
    Outlet,
    PrepositionProblem,
    RotationItem,
    RotationProblem,
    Scenario,
    Site,
    Source,
)

AT_LEAST_ZERO = validate.Range(min=0, error="must be ≥ 0")
ABOVE_ZERO = validate.Range(min=0, min_inclusive=False, error="must be > 0")
AT_LEAST_ONE = validate.Range(min=1, error="must be ≥ 1")
#: Hours, money and quantities beyond this are typing errors, and would wreck the solver's numerics.
LARGEST = 1e12
NOT_HUGE = validate.Range(max=LARGEST, error=f"must be ≤ {LARGEST:g}")
ID = validate.Length(min=1, max=200, error="must be 1 to 200 characters")


class WholeNumber(fields.Integer):
    """A whole number of units: an integer, or a float with nothing after the point."""

    default_error_messages = {"invalid": "must be a whole number"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise self.make_error("invalid")
        if abs(value) > LARGEST:
            raise ValidationError(f"must be ≤ {LARGEST:g}")
        return int(value)


class Number(fields.Float):
    """A finite number (not a boolean, not a string)."""

    default_error_messages = {"invalid": "must be a number", "special": "must be finite"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def units(**kwargs) -> WholeNumber:
    """Return a field for a whole number of units, at least 0."""
    return WholeNumber(validate=AT_LEAST_ZERO, **kwargs)


def amount(**kwargs) -> Number:
    """Return a field for an amount, at least 0 and not absurdly large."""
    return Number(validate=[AT_LEAST_ZERO, NOT_HUGE], **kwargs)


def per_item(value_field) -> fields.Dict:
    """Return a field mapping item ids to ``value_field``."""
    return fields.Dict(keys=fields.String(validate=ID), values=value_field, load_default=dict)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ItemSchema(Strict):
    code = fields.String(required=True, validate=ID)
    weight_kg = amount(load_default=0.0)
    volume_m3 = amount(load_default=0.0)


class SiteSchema(Strict):
    id = fields.String(required=True, validate=ID)
    priority = amount(load_default=1.0)
    demand = per_item(units())
    people = WholeNumber(validate=AT_LEAST_ZERO, load_default=None)


class SourceSchema(Strict):
    id = fields.String(required=True, validate=ID)
    kind = fields.String(required=True, validate=validate.OneOf(
        SOURCE_KINDS, error="must be one of physical, contract, capacity"))
    handling_hours = amount(load_default=None)
    stock = per_item(units())
    unit_cost = per_item(amount())
    ramp_hours = amount(load_default=None)
    rate_per_hour = per_item(amount())
    max = per_item(units())


class TravelSchema(Strict):
    from_ = fields.String(required=True, data_key="from", validate=ID)
    to = fields.String(required=True, validate=ID)
    hours = amount(required=True)


class DispatchLimitSchema(Strict):
    source = fields.String(required=True, validate=ID)
    weight_kg = amount(load_default=None)
    volume_m3 = amount(load_default=None)


class DispatchSchema(Strict):
    deadline_hours = Number(required=True, validate=[ABOVE_ZERO, NOT_HUGE])
    items = fields.List(fields.Nested(ItemSchema), required=True)
    sites = fields.List(fields.Nested(SiteSchema), required=True)
    sources = fields.List(fields.Nested(SourceSchema), required=True)
    travel_hours = fields.List(fields.Nested(TravelSchema), load_default=list)
    transport_cost_per_unit_hour = per_item(amount())
    dispatch_limits = fields.List(fields.Nested(DispatchLimitSchema), load_default=list)


class DepotSchema(Strict):
    id = fields.String(required=True, validate=ID)
    capacity_m3 = amount(load_default=None)
    handling_hours = amount(load_default=0.0)
    stock = per_item(units())


class ScenarioSchema(Strict):
    id = fields.String(required=True, validate=ID)
    weight = amount(load_default=1.0)
    sites = fields.List(fields.Nested(SiteSchema), required=True)


class PrepositionSchema(Strict):
    deadline_hours = Number(required=True, validate=[ABOVE_ZERO, NOT_HUGE])
    items = fields.List(fields.Nested(ItemSchema), required=True)
    depots = fields.List(fields.Nested(DepotSchema), required=True)
    purchase_cost = per_item(amount())
    relocation_cost_per_unit_hour = per_item(amount())
    budget = amount(load_default=None)
    travel_hours = fields.List(fields.Nested(TravelSchema), load_default=list)
    other_sources = fields.List(fields.Nested(SourceSchema), load_default=list)
    scenarios = fields.List(fields.Nested(ScenarioSchema), required=True)
    transport_cost_per_unit_hour = per_item(amount())
    dispatch_limits = fields.List(fields.Nested(DispatchLimitSchema), load_default=list)


class RotationItemSchema(Strict):
    code = fields.String(required=True, validate=ID)
    unit_cost = amount(required=True)
    shelf_life_periods = WholeNumber(required=True, validate=AT_LEAST_ONE)
    lead_periods = units(load_default=0)
    write_off_cost = amount(load_default=0.0)


class LotSchema(Strict):
    id = fields.String(required=True, validate=ID)
    item = fields.String(required=True, validate=ID)
    quantity = units(required=True)
    expires_period = units(required=True)


class OutletSchema(Strict):
    id = fields.String(required=True, validate=ID)
    item = fields.String(required=True, validate=ID)
    capacity_per_period = units(required=True)
    value_per_unit = Number(load_default=0.0, validate=validate.Range(
        min=-LARGEST, max=LARGEST, error=f"must be between ±{LARGEST:g}"))


class RotationSchema(Strict):
    periods = WholeNumber(required=True, validate=validate.Range(
        min=1, max=1200, error="must be 1 to 1200"))
    items = fields.List(fields.Nested(RotationItemSchema), required=True)
    lots = fields.List(fields.Nested(LotSchema), load_default=list)
    minimum_stock = per_item(units())
    outlets = fields.List(fields.Nested(OutletSchema), load_default=list)
    budget_per_period = amount(load_default=None)


def _load(schema: Schema, document) -> dict:
    if not isinstance(document, dict):
        raise InvalidInput(["(document): must be a JSON object"])
    try:
        return schema.load(document)
    except ValidationError as error:
        raise InvalidInput(list(flatten_errors(error.messages, "", schema))) from None


def _site(row: dict) -> Site:
    return Site(id=row["id"], priority=row["priority"], people=row["people"],
                demand={k: v for k, v in row["demand"].items() if v > 0})


def _source(row: dict) -> Source:
    return Source(
        id=row["id"], kind=row["kind"], handling_hours=row["handling_hours"] or 0.0,
        stock=dict(row["stock"]), unit_cost=dict(row["unit_cost"]),
        ramp_hours=row["ramp_hours"] or 0.0, rate_per_hour=dict(row["rate_per_hour"]),
        max=dict(row["max"]))


def _items(checks: Checks, rows: list[dict]) -> dict[str, Item]:
    checks.unique(rows, "code", "items", "item")
    return {row["code"]: Item(**row) for row in rows}


def load_dispatch(document) -> DispatchProblem:
    """Validate a dispatch document and return the problem it describes."""
    data = _load(DispatchSchema(), document)
    checks = Checks()
    items = _items(checks, data["items"])
    check_sites(checks, data["sites"], "sites", set(items))
    source_ids = checks.unique(data["sources"], "id", "sources", "source")
    check_sources(checks, data["sources"], "sources", set(items))
    travel = check_travel(checks, data["travel_hours"], source_ids,
                           {site["id"] for site in data["sites"]})
    checks.known_items(data["transport_cost_per_unit_hour"], "transport_cost_per_unit_hour",
                       set(items))
    limits = check_limits(checks, data["dispatch_limits"], source_ids)
    checks.raise_any()
    return DispatchProblem(
        deadline_hours=data["deadline_hours"], items=items,
        sites=[_site(row) for row in data["sites"]],
        sources=[_source(row) for row in data["sources"]], travel_hours=travel,
        transport_cost_per_unit_hour=dict(data["transport_cost_per_unit_hour"]),
        dispatch_limits=limits)


def load_preposition(document) -> PrepositionProblem:
    """Validate a pre-positioning document and return the problem it describes."""
    data = _load(PrepositionSchema(), document)
    checks = Checks()
    items = _items(checks, data["items"])
    codes = set(items)
    depot_ids = checks.unique(data["depots"], "id", "depots", "depot")
    for index, depot in enumerate(data["depots"]):
        checks.known_items(depot["stock"], f"depots[{index}].stock", codes)
    other_ids = checks.unique(data["other_sources"], "id", "other_sources", "source")
    for index, source in enumerate(data["other_sources"]):
        if source["id"] in depot_ids:
            checks.add(f"other_sources[{index}].id", f"{source['id']!r} is also a depot")
    check_sources(checks, data["other_sources"], "other_sources", codes)
    checks.unique(data["scenarios"], "id", "scenarios", "scenario")
    site_ids: set[str] = set()
    for index, scenario in enumerate(data["scenarios"]):
        check_sites(checks, scenario["sites"], f"scenarios[{index}].sites", codes)
        for number, site in enumerate(scenario["sites"]):
            if site["id"] in depot_ids | other_ids:
                checks.add(f"scenarios[{index}].sites[{number}].id",
                           f"{site['id']!r} is also a depot or source")
            site_ids.add(site["id"])
    for name in ("purchase_cost", "relocation_cost_per_unit_hour",
                 "transport_cost_per_unit_hour"):
        checks.known_items(data[name], name, codes)
    travel = check_travel(checks, data["travel_hours"], depot_ids | other_ids,
                           depot_ids | site_ids)
    limits = check_limits(checks, data["dispatch_limits"], depot_ids | other_ids)
    checks.raise_any()
    return PrepositionProblem(
        deadline_hours=data["deadline_hours"], items=items,
        depots=[Depot(id=row["id"], stock={k: v for k, v in row["stock"].items() if v > 0},
                      handling_hours=row["handling_hours"], capacity_m3=row["capacity_m3"])
                for row in data["depots"]],
        scenarios=[Scenario(id=row["id"], weight=row["weight"],
                            sites=[_site(site) for site in row["sites"]])
                   for row in data["scenarios"]],
        travel_hours=travel, purchase_cost=dict(data["purchase_cost"]),
        relocation_cost_per_unit_hour=dict(data["relocation_cost_per_unit_hour"]),
        budget=data["budget"], other_sources=[_source(row) for row in data["other_sources"]],
        transport_cost_per_unit_hour=dict(data["transport_cost_per_unit_hour"]),
        dispatch_limits=limits)


def load_rotation(document) -> RotationProblem:
    """Validate a rotation document and return the problem it describes."""
    data = _load(RotationSchema(), document)
    checks = Checks()
    checks.unique(data["items"], "code", "items", "item")
    codes = {row["code"] for row in data["items"]}
    checks.unique(data["lots"], "id", "lots", "lot")
    for index, lot in enumerate(data["lots"]):
        if lot["item"] not in codes:
            checks.add(f"lots[{index}].item", f"unknown item {lot['item']!r}")
        if lot["id"].startswith("new:"):
            checks.add(f"lots[{index}].id", "names starting with 'new:' are kept for purchases")
    checks.known_items(data["minimum_stock"], "minimum_stock", codes)
    seen: set[tuple[str, str]] = set()
    for index, outlet in enumerate(data["outlets"]):
        if outlet["item"] not in codes:
            checks.add(f"outlets[{index}].item", f"unknown item {outlet['item']!r}")
        key = (outlet["id"], outlet["item"])
        if key in seen:
            checks.add(f"outlets[{index}]", f"duplicate outlet {key[0]!r} for item {key[1]!r}")
        seen.add(key)
    checks.raise_any()
    return RotationProblem(
        periods=data["periods"],
        items={row["code"]: RotationItem(**row) for row in data["items"]},
        lots=[Lot(**row) for row in data["lots"]],
        minimum_stock=dict(data["minimum_stock"]),
        outlets=[Outlet(**row) for row in data["outlets"]],
        budget_per_period=data["budget_per_period"])
