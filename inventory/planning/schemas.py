"""What the planning API reads and writes: scenarios (with their kind's parameters) and runs."""

from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from inventory.api.fields import Id, Strict, code_field, text_field
from inventory.planning.models import KINDS, MODES
from inventory.readiness.models import SEASONS

POSITIVE_HOURS = validate.Range(min=0, min_inclusive=False, max=720)
#: days a scenario may play out on (a plan's months and deadline stay within the calendar)
PLAUSIBLE_DAYS = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31))
MONEY = validate.Range(min=0, max=1e12)
#: most sites, cases, depots or outlets a scenario lists
MANY = 2000


def _units(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=1_000_000_000), **kwargs)


def _per_item(values, **kwargs):
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=32)),
                       values=values, **kwargs)


class SiteInSchema(Strict):
    shelter = code_field(required=True, metadata={"description": "the shelter's code"})
    people = fields.Integer(required=True, strict=True,
                            validate=validate.Range(min=1, max=10_000_000))
    priority = fields.Float(load_default=1.0,
                            validate=validate.Range(min=0, min_inclusive=False, max=1000),
                            metadata={"description": "weight of this site's unmet share"})


class PairSchema(Strict):
    depot = code_field(required=True)
    shelter = code_field(required=True)


class CaseSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    weight = fields.Float(load_default=1.0,
                          validate=validate.Range(min=0, min_inclusive=False, max=1e6))
    target = fields.Integer(validate=Id, allow_none=True,
                            metadata={"description": "spread this target's people over the "
                                                     "shelters of its area"})
    sites = fields.List(fields.Nested(SiteInSchema), allow_none=True,
                        validate=validate.Length(max=MANY))


class OutletSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata={"description": "e.g. 学校食堂, 应急演练, 市场"})
    item = code_field(required=True)
    capacity_per_month = _units(required=True)
    value_per_unit = fields.Float(load_default=0.0,
                                  validate=validate.Range(min=-1e9, max=1e9),
                                  metadata={"description": "value recovered per unit"})


class _ScenarioFields(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    date = fields.Date(validate=PLAUSIBLE_DAYS, metadata={
        "description": "the day the scenario plays out; stock must still be usable then plus "
                       "the deadline"})
    deadline_hours = fields.Float(validate=POSITIVE_HOURS)
    target = fields.Integer(validate=Id, metadata={
        "description": "dispatch: spread the target's people over the active shelters of its "
                       "area by capacity"})
    sites = fields.List(fields.Nested(SiteInSchema), validate=validate.Length(max=MANY))
    season = fields.String(validate=validate.OneOf(SEASONS))
    modes = fields.List(fields.String(validate=validate.OneOf(MODES)),
                        validate=validate.Length(min=1, max=3),
                        metadata={"description": "reserve modes the plan may use (default all)"})
    excluded_depots = fields.List(code_field(), validate=validate.Length(max=MANY),
                                  metadata={"description": "depots that send nothing"})
    excluded_pairs = fields.List(fields.Nested(PairSchema), validate=validate.Length(max=MANY),
                                 metadata={"description": "depot → shelter roads cut"})
    time_limit_seconds = fields.Integer(strict=True, allow_none=True,
                                        validate=validate.Range(min=1, max=3600))
    note = text_field(1000)
    transport_cost_per_kg_hour = fields.Float(validate=validate.Range(min=0, max=1000))
    limit_by_fleet = fields.Boolean(metadata={
        "description": "dispatch: a depot sends at most what its vehicles that can leave "
                       "within the deadline carry in one trip (default false)"})
    # pre-positioning
    cases = fields.List(fields.Nested(CaseSchema), validate=validate.Length(min=1, max=50),
                        metadata={"description": "pre-positioning: the flood-season scenarios "
                                                 "with their weights"})
    budget = fields.Float(allow_none=True, validate=MONEY)
    receiving_depots = fields.List(code_field(), allow_none=True,
                                   validate=validate.Length(max=MANY),
                                   metadata={"description": "pre-positioning: the depots that "
                                                            "may receive (default: county and "
                                                            "township depots)"})
    # rotation
    horizon_months = fields.Integer(strict=True, validate=validate.Range(min=1, max=120))
    outlets = fields.List(fields.Nested(OutletSchema), validate=validate.Length(max=MANY))
    budget_per_month = fields.Float(allow_none=True, validate=MONEY)
    lead_months = fields.Integer(strict=True, validate=validate.Range(min=0, max=120))
    minimum_stock = _per_item(_units(), metadata={
        "description": "rotation: minimum per item, replacing the one from the tiers' "
                       "minimums and the targets"})
    prices = _per_item(fields.Float(validate=MONEY))
    write_off_cost = _per_item(fields.Float(validate=MONEY))


class ScenarioCreateSchema(_ScenarioFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))


class ScenarioPatchSchema(_ScenarioFields):
    @validates_schema
    def something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change")


class CopySchema(Strict):
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


class ScenarioQuerySchema(Strict):
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))


class CompareQuerySchema(Strict):
    ids = fields.List(fields.Integer(validate=Id), required=True,
                      validate=validate.Length(min=2, max=6),
                      metadata={"description": "scenario ids, e.g. ?ids=1&ids=2"})


class RunQuerySchema(Strict):
    scenario = fields.Integer(load_default=None, validate=Id)


def _username(user):
    return user.username if user is not None else None


class ScenarioSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    date = fields.Date(attribute="scenario_date")
    deadline_hours = fields.Float(allow_none=True)
    season = fields.String()
    target = fields.Integer(attribute="target_id", allow_none=True)
    sites = fields.List(fields.Dict(), metadata={
        "description": "[{shelter, people, priority}]; a site's id in a run is its shelter's "
                       "code"})
    people = fields.Function(lambda s: sum(site["people"] for site in s.sites))
    modes = fields.List(fields.String())
    excluded_depots = fields.List(fields.String())
    excluded_pairs = fields.List(fields.Dict())
    parameters = fields.Dict(metadata={"description": "the kind's own parameters"})
    time_limit_seconds = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    version = fields.Integer(metadata={"description": "raised by every change"})
    copied_from = fields.Integer(attribute="copied_from_id", allow_none=True)
    created_by = fields.Function(lambda s: _username(s.created_by))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


def _job(attribute):
    return fields.Function(lambda run: getattr(run.job, attribute) if run.job else None)


class RunSchema(Schema):
    id = fields.Integer()
    scenario = fields.Integer(attribute="scenario_id")
    scenario_name = fields.Function(lambda run: run.scenario.name)
    scenario_version = fields.Integer()
    kind = fields.String()
    status = fields.String(metadata={"description": "queued, running, finished, failed or "
                                                    "cancelled"})
    phase = _job("phase")
    progress = _job("progress")
    elapsed_seconds = fields.Float()
    result = fields.Raw(attribute="outcome", allow_none=True, metadata={
        "description": "exactly what `python -m optimizer <kind> input.json` printed for the "
                       "run's input"})
    error = _job("error")
    cancel_requested = _job("cancel_requested")
    stale = fields.Function(lambda run: bool(run.stale_reasons))
    stale_reasons = fields.Function(lambda run: run.stale_reasons or [], metadata={
        "description": "what changed since the input was built: scenario, ledger, lot_status "
                       "or a table's name"})
    stats = fields.Dict(allow_none=True)
    time_limit_seconds = fields.Integer()
    input_sha256 = fields.String(allow_none=True)
    job = fields.Integer(attribute="job_id", allow_none=True)
    requested_by = fields.Function(lambda run: _username(run.created_by))
    created_at = fields.DateTime()
    started_at = _job("started_at")
    finished_at = _job("finished_at")


class SummarySchema(Schema):
    status = fields.String(allow_none=True)
    objective = fields.Dict()
    shipments = fields.Integer(allow_none=True)
    units_short = fields.Integer(allow_none=True)
    people_fully_supplied = fields.Integer(allow_none=True)


class CompareRowSchema(Schema):
    scenario = fields.Nested(ScenarioSchema)
    run = fields.Function(lambda row: row["run"].id if row["run"] else None)
    summary = fields.Nested(SummarySchema, allow_none=True)


class CompareSchema(Schema):
    scenarios = fields.List(fields.Nested(CompareRowSchema))
    differences = fields.List(fields.String())
