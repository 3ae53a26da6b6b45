"""Transport pages: the registers (carriers, vehicles, transport agreements), goods in transit,
one waybill with its QR code and arrival, the printable waybill, and measured trip times."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.auth.permissions import can_move_stock
from inventory.db import db
from inventory.documents.views import pdf_response, refused
from inventory.errors import DomainError
from inventory.geo import queries as geo
from inventory.transfers import services as transfers
from inventory.transfers.queries import get_by_number
from inventory.transport import papers, queries, scanning, services, waybills
from inventory.transport.models import Waybill
from inventory.uow import unit_of_work
from inventory.web.forms import act

bp = Blueprint("transport", __name__, url_prefix="/transport")

#: the waybill's fields on a form, named as the services take them
WAYBILL_FIELDS = ("carrier", "plate", "driver_name", "driver_phone", "seal_number")
#: seconds between reloads of the in-transit list, which a duty officer leaves open
REFRESH_SECONDS = 60



def _manages() -> bool:
    return current_user.role in services.MANAGERS


def _form(names) -> dict:
    """The form's fields, blanks as None."""
    return {name: (request.form.get(name, "").strip() or None) for name in names}


def _act(action, done: str, back: str):
    return act(action, done, back, code=303)


# -- used by the transfer pages ---------------------------------------------------------

def waybill_form_values() -> dict | None:
    """The waybill fields of a dispatch form, or None when it gives no plate."""
    values = _form(WAYBILL_FIELDS)
    return values if values["plate"] else None


def dispatch_with_waybill(transfer_id: int, waybill: dict | None) -> None:
    """Dispatch the transfer and record its waybill, in one transaction."""
    with unit_of_work(db.session):
        transfers.dispatch(db.session, current_user, transfer_id)
        if waybill is not None:
            waybills.record_for_transfer(db.session, current_user, transfer_id, **waybill)


@bp.app_context_processor
def transport_choices():
    """The registered vehicles and carriers, for the waybill fields of any page's form."""
    def fleet():
        return queries.list_vehicles(db.session, active=True)

    def carriers():
        return queries.list_carriers(db.session, active=True)

    return {"transport_fleet": fleet, "transport_carriers": carriers}


# -- registers ---------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    """The registers: carriers, vehicles, transport agreements, and the fleet by depot."""
    depots = geo.depots(db.session, shelters=False)
    return render_template(
        "transport/index.html", manages=_manages(),
        carriers=queries.list_carriers(db.session),
        vehicles=queries.list_vehicles(db.session),
        agreements=queries.list_agreements(db.session), depots=depots,
        areas=geo.areas(db.session, level="township"))


@bp.post("/carriers")
@login_required
def create_carrier():
    """Register a carrier from the form (bureau, admin)."""
    values = _form(("code", "name", "kind", "area", "contact_name", "contact_phone"))
    return _act(lambda: services.create_carrier(db.session, current_user, **values),
                gettext("承运单位已登记。"), url_for("transport.index"))


@bp.post("/vehicles")
@login_required
def create_vehicle():
    """Register a vehicle from the form (bureau, admin)."""
    values = _form(("plate", "carrier", "vehicle_type", "payload_kg", "volume_m3", "depot",
                    "driver_name", "driver_phone"))
    return _act(lambda: services.create_vehicle(db.session, current_user, **values),
                gettext("车辆已登记。"), url_for("transport.index"))


@bp.post("/vehicles/<plate>/active")
@login_required
def vehicle_active(plate):
    """Take a vehicle out of service or back (bureau, admin)."""
    active = request.form.get("active") == "on"
    return _act(lambda: services.update_vehicle(db.session, current_user, plate, active=active),
                gettext("车辆已更新。"), url_for("transport.index"))


@bp.post("/agreements")
@login_required
def create_agreement():
    """Record a transport agreement from the form (bureau, admin)."""
    values = _form(("number", "carrier", "vehicle_type", "payload_kg", "volume_m3",
                    "response_hours", "depot", "unit_price", "price_unit", "valid_from",
                    "valid_until", "note"))
    raw = request.form.get("vehicles", "").strip()
    values["vehicles"] = int(raw) if raw.isdigit() else (raw or None)
    return _act(lambda: services.create_agreement(db.session, current_user, **values),
                gettext("运力协议已保存。"), url_for("transport.index"))


# -- goods in transit and waybills ---------------------------------------------------------

@bp.get("/in-transit")
@login_required
def in_transit():
    """Goods on the road with their waybills and expected arrival; overdue loads flagged."""
    depot = request.args.get("depot") or None
    loads = queries.in_transit(db.session, depot=depot)
    return render_template("transport/in_transit.html", loads=loads, depot=depot,
                           refresh=REFRESH_SECONDS,
                           overdue=sum(1 for load in loads if load.overdue))


def _waybill(waybill_id: int) -> Waybill:
    return db.get_or_404(Waybill, waybill_id)


@bp.get("/waybills/<int(max=2147483647):waybill_id>")
@login_required
def waybill(waybill_id):
    """One waybill: route, vehicle, driver, seal, times, its QR code; the arrival button."""
    found = _waybill(waybill_id)
    return render_template(
        "transport/waybill.html", waybill=found, label=scanning.label_url(found),
        expected=queries.expected_arrival(db.session, found),
        can_arrive=found.arrived_at is None and can_move_stock(current_user, found.to_depot))


@bp.get("/waybills/<int(max=2147483647):waybill_id>.pdf")
@login_required
def waybill_pdf(waybill_id):
    """The printable waybill (A4) with its QR code."""
    return pdf_response(papers.waybill_paper(db.session, _waybill(waybill_id)))


@bp.post("/waybills/<int(max=2147483647):waybill_id>/arrival")
@login_required
def arrival(waybill_id):
    """Record the load's arrival (the receiving depot's keeper, an admin)."""
    _waybill(waybill_id)
    return _act(lambda: waybills.record_arrival(db.session, current_user, waybill_id),
                gettext("已登记到达。"), url_for("transport.waybill", waybill_id=waybill_id))


@bp.post("/transfers/<number>/waybill")
@login_required
def transfer_waybill(number):
    """Record the waybill of a transfer already dispatched (its source depot's keeper)."""
    try:
        transfer = get_by_number(db.session, number)
    except DomainError as error:
        return refused(error, gettext("运单"))
    values = _form(WAYBILL_FIELDS)
    return _act(lambda: waybills.record_for_transfer(db.session, current_user, transfer.id,
                                                     **values),
                gettext("运单已登记。"), url_for("transfers.show", number=number))


@bp.get("/trips")
@login_required
def trips():
    """Measured trip times by route beside the travel table's figure."""
    return render_template("transport/trips.html", trips=queries.trip_times(db.session))
