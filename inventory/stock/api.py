"""Stock endpoints: lots, receipts, issues, adjustments, write-offs, reversals, balances, ledger."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from inventory import clock
from inventory.api.idempotency import idempotent, request_key
from inventory.api.pagination import paginate
from inventory.auth.permissions import ensure_role
from inventory.catalogue.queries import get_item
from inventory.db import db
from inventory.geo.queries import get_depot
from inventory.stock import lean, ledger, queries, services
from inventory.stock.models import Seal
from inventory.stock.schemas import (
    AdjustmentSchema,
    BalanceQuerySchema,
    BalanceSchema,
    IssueSchema,
    LedgerCheckSchema,
    LotQuerySchema,
    LotSchema,
    LotStatusSchema,
    MovementQuerySchema,
    MovementSchema,
    MovementsSchema,
    ReceiptResultSchema,
    ReceiptSchema,
    ReversalSchema,
    SealSchema,
    WriteOffSchema,
    movements_response,
)

blp = Blueprint("stock_api", __name__, description="Lots and the stock ledger 批次与台账")


@blp.route("/lots")
class Lots(MethodView):
    @blp.arguments(LotQuerySchema(), location="query")
    @blp.response(200, LotSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List lots, filtered by depot, item, lot code, status or whether they hold stock"""
        stmt = queries.lots(
            depot_id=get_depot(db.session, query["depot"]).id if query["depot"] else None,
            item_id=get_item(db.session, query["item"]).id if query["item"] else None,
            code=query["code"], in_stock=query["in_stock"], status=query["status"],
            today=clock.today())
        return paginate(stmt, pagination_parameters)


@blp.route("/lots/<int(max=2147483647):lot_id>")
class LotById(MethodView):
    @blp.response(200, LotSchema)
    def get(self, lot_id):
        """Show one lot"""
        return services.get_lot(db.session, lot_id)


@blp.route("/lots/<int(max=2147483647):lot_id>/status")
class LotStatus(MethodView):
    @idempotent
    @blp.arguments(LotStatusSchema())
    @blp.response(200, LotSchema)
    def post(self, data, lot_id):
        """Quarantine a lot (待检/封存) or release it"""
        return services.set_lot_status(db.session, g.user, lot=lot_id, **data)


@blp.route("/receipts")
class Receipts(MethodView):
    @idempotent
    @blp.arguments(ReceiptSchema())
    @blp.response(201, ReceiptResultSchema)
    def post(self, data):
        """Receive goods into a depot (入库); creates the lot or tops up one with the same code"""
        lot, movements = services.receive(db.session, g.user, key=request_key(), **data)
        return {"lot": lot, "movements": movements}


@blp.route("/issues")
class Issues(MethodView):
    def dispatch_request(self, **kwargs):
        # On PostgreSQL a valid issue from a lot takes the lean path (inventory/stock/lean.py).
        return lean.issue_from_lot() or super().dispatch_request(**kwargs)

    @idempotent
    @blp.arguments(IssueSchema())
    @blp.response(201, MovementsSchema)
    def post(self, data):
        """Issue goods (出库) from a lot, or by item first-expiry-first-out"""
        return movements_response(services.issue(db.session(), g.user, key=request_key(), **data))


@blp.route("/adjustments")
class Adjustments(MethodView):
    @idempotent
    @blp.arguments(AdjustmentSchema())
    @blp.response(201, MovementsSchema)
    def post(self, data):
        """Set a lot to the quantity counted (盘点调整); no row when the count agrees"""
        return movements_response(
            services.adjust(db.session, g.user, key=request_key(), **data))


@blp.route("/write-offs")
class WriteOffs(MethodView):
    @idempotent
    @blp.arguments(WriteOffSchema())
    @blp.response(201, MovementsSchema)
    def post(self, data):
        """Write off damaged or expired stock (报废), with a reason"""
        return movements_response(
            services.write_off(db.session, g.user, key=request_key(), **data))


@blp.route("/reversals")
class Reversals(MethodView):
    @idempotent
    @blp.arguments(ReversalSchema())
    @blp.response(201, MovementsSchema)
    def post(self, data):
        """Cancel a ledger row by a reversal (冲正) that names it, with a reason"""
        return movements_response(
            services.reverse(db.session, g.user, key=request_key(), **data))


@blp.route("/balances")
class Balances(MethodView):
    @blp.arguments(BalanceQuerySchema(), location="query")
    @blp.response(200, BalanceSchema(many=True))
    def get(self, query):
        """On-hand quantities by depot and item, now or as of a moment"""
        return services.balances(db.session, **query)


@blp.route("/movements")
class Movements(MethodView):
    @blp.arguments(MovementQuerySchema(), location="query")
    @blp.response(200, MovementSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The stock ledger, filtered, oldest first"""
        stmt = queries.movements(
            depot_id=get_depot(db.session, query["depot"]).id if query["depot"] else None,
            item_id=get_item(db.session, query["item"]).id if query["item"] else None,
            lot=query["lot"], kind=query["kind"], reference=query["reference"],
            transfer=query["transfer"], since=query["since"], until=query["until"])
        return paginate(stmt, pagination_parameters)


@blp.route("/ledger/seals")
class Seals(MethodView):
    @blp.response(200, SealSchema(many=True))
    def get(self):
        """Seals taken over the ledger's chain heads, newest first"""
        return db.session.scalars(select(Seal).order_by(Seal.id.desc()).limit(100)).all()

    @blp.response(201, SealSchema)
    def post(self):
        """Seal the ledger now (on demand)"""
        ensure_role(g.user, "admin", "bureau", "auditor")
        return ledger.take_seal(db.session, kind="on_demand", actor=g.user)


@blp.route("/ledger/verification")
class Verification(MethodView):
    @blp.response(200, LedgerCheckSchema)
    def get(self):
        """Check balances against the ledger, the hash chains and the seals"""
        ensure_role(g.user, "admin", "bureau", "auditor")
        report = ledger.verify_ledger(db.session)
        return {"ok": report.ok, **report.__dict__}
