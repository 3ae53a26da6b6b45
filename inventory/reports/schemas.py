"""The reports' API: what a request may ask for, and the JSON a report answers with.

Money is a string with two decimals ("1234.50"), exactly as the ledger values it; times are
ISO 8601 in the bureau's time zone, with its offset.
"""

import re
from datetime import date, datetime

from marshmallow import Schema, ValidationError, fields, validate

from inventory import clock
from inventory.api.fields import Strict, code_field
from inventory.geo.models import AREA_LEVELS
from inventory.reports.queries import MOVEMENT_COLUMNS, Figures, StockReport
from inventory.reports.settlements import SettlementReport


class Moment(fields.Field):
    """A day (2026-06-30: the end of that day), or a time with or without an offset (without
    one it is the bureau's local time)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("Not a valid datetime.")
        # An offset's "+" typed into an address arrives as a space.
        value = re.sub(r" (\d\d:?\d\d)$", r"+\1", value)
        try:
            return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError("Not a valid datetime.") from None


def _day(name: str, description: str):
    return fields.Date(data_key=name, load_default=None, metadata={"description": description})


class _Filters(Strict):
    depot = code_field(load_default=None, metadata={"description": "a depot's code"})
    item = code_field(load_default=None, metadata={"description": "a catalogue item's code"})
    tier = fields.String(load_default=None, validate=validate.OneOf(AREA_LEVELS),
                         metadata={"description": "county, township or village"})
    category = fields.String(load_default=None, validate=validate.Length(min=1, max=30),
                             metadata={"description": "an item category, e.g. 生活类"})


class SummaryQuerySchema(_Filters):
    first = _day("from", "first day, in the bureau's time zone (default: 1 January)")
    last = _day("to", "last day, included (default: today)")


class OnHandQuerySchema(_Filters):
    at = Moment(load_default=None, metadata={
        "description": "a moment (2026-06-30T18:00+08:00; local time without an offset) or a "
                       "day, meaning its end; default: now"})


class PeriodQuerySchema(Strict):
    first = _day("from", "first day, in the bureau's time zone (default: 1 January)")
    last = _day("to", "last day, included (default: today)")


# -- answers ----------------------------------------------------------------

def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _local(moment: datetime | None) -> str | None:
    return None if moment is None else clock.local_time(moment).isoformat()


def yuan(cents: int) -> str:
    """Write an amount in cents as yuan with two decimals: -1234.50."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def figures_json(figures: Figures, *, check: bool) -> dict:
    """One line's (or total's) figures: quantities, values, lots, and the check."""
    answer = {"quantity": dict(figures.quantity),
              "value": {column: yuan(cents) for column, cents in figures.cents.items()},
              "lots": figures.lots, "unpriced_lots": figures.unpriced_lots,
              "unpriced_quantity": figures.unpriced_quantity}
    if check:
        quantity, cents = figures.differences()
        answer["check"] = {"quantity": quantity, "value": yuan(cents),
                           "balanced": (quantity, cents) == (0, 0)}
    return answer


def report_json(report: StockReport) -> dict:
    """A stock report as the API answers it: groups by tier, then category, then lines."""
    check = report.period is not None

    def line(found):
        return {"depot": found.depot.code, "depot_name": found.depot.name,
                "tier": found.depot.tier, "item": found.item.code, "item_name": found.item.name,
                "category": found.item.category, "unit": found.item.unit,
                **figures_json(found.figures, check=check)}

    answer = {
        "columns": list(report.columns),
        "filters": report.scope.asked(),
        "time_zone": clock.TIMEZONE.key,
        "made_at": _local(report.made_at),
        "groups": [{"tier": tier.tier, "totals": figures_json(tier.totals, check=check),
                    "categories": [{"category": category.category,
                                    "totals": figures_json(category.totals, check=check),
                                    "lines": [line(found) for found in category.lines]}
                                   for category in tier.categories]}
                   for tier in report.groups],
        "totals": figures_json(report.totals, check=check),
    }
    if report.period is not None:
        answer["period"] = {"from": report.period.first, "to": report.period.last,
                            "starts_at": _local(report.period.starts_at),
                            "ends_before": _local(report.period.ends_before)}
        answer["unbalanced_lines"] = len(report.unbalanced)
    else:
        answer["at"] = _local(report.at)
    return answer


def settlements_json(report: SettlementReport) -> dict:
    """The settlements report as the API answers it."""
    money = ("owed", "settled", "unsettled")
    return {
        "period": {"from": report.period.first, "to": report.period.last,
                   "starts_at": _local(report.period.starts_at),
                   "ends_before": _local(report.period.ends_before)},
        "time_zone": clock.TIMEZONE.key,
        "made_at": _local(report.made_at),
        "agreements": [{
            "number": a.number, "supplier": a.supplier, "item": a.item,
            "item_name": a.item_name, "unit": a.unit, "unit_price": _money(a.unit_price),
            "committed_quantity": a.committed_quantity, "called": a.called,
            "cancelled": a.cancelled, "received": a.received,
            **{name: _money(getattr(a, name)) for name in money},
            "call_offs": [{
                "id": c.id, "depot": c.depot, "quantity": c.quantity, "status": c.status,
                "called_at": _local(c.called_at), "received_at": _local(c.received_at),
                "received_quantity": c.received_quantity, "settled_at": _local(c.settled_at),
                "settled_amount": _money(c.settled_amount),
                "settlement_reference": c.settlement_reference} for c in a.call_offs]}
            for a in report.agreements],
        "totals": {"called": report.total("called"), "cancelled": report.total("cancelled"),
                   "received": report.total("received"),
                   **{name: _money(report.total(name)) for name in money}},
    }


class _FiguresSchema(Schema):
    quantity = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "by column: opening, " + ", ".join(MOVEMENT_COLUMNS) + ", closing "
                       "(signed: into the depot positive); on_hand for stock on hand"})
    value = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the same columns valued at each lot's unit cost, yuan"})
    lots = fields.Integer()
    unpriced_lots = fields.Integer(metadata={"description": "lots without a unit cost, left "
                                                            "out of the values"})
    unpriced_quantity = fields.Integer(metadata={"description": "what those lots hold at the end"})
    check = fields.Dict(metadata={"description": "closing − (opening + movements), in quantity "
                                                 "and value: 0 when the line balances"})


class _LineSchema(_FiguresSchema):
    depot = fields.String()
    depot_name = fields.String()
    tier = fields.String()
    item = fields.String()
    item_name = fields.String()
    category = fields.String()
    unit = fields.String()


class _CategorySchema(Schema):
    category = fields.String()
    totals = fields.Nested(_FiguresSchema)
    lines = fields.List(fields.Nested(_LineSchema))


class _TierSchema(Schema):
    tier = fields.String()
    totals = fields.Nested(_FiguresSchema)
    categories = fields.List(fields.Nested(_CategorySchema))


class StockReportSchema(Schema):
    columns = fields.List(fields.String())
    filters = fields.Dict()
    period = fields.Dict(metadata={"description": "from, to, and the moments they mean"})
    at = fields.String(metadata={"description": "stock on hand: the moment read up to"})
    time_zone = fields.String()
    made_at = fields.String()
    groups = fields.List(fields.Nested(_TierSchema))
    totals = fields.Nested(_FiguresSchema)
    unbalanced_lines = fields.Integer(metadata={"description": "lines failing the check"})


class SettlementReportSchema(Schema):
    period = fields.Dict()
    time_zone = fields.String()
    made_at = fields.String()
    agreements = fields.List(fields.Dict(), metadata={
        "description": "per agreement: called, cancelled, received (units), owed at the tender "
                       "price, settled, unsettled at the period's end (yuan), and its call-offs"})
    totals = fields.Dict()
