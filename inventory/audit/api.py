"""The audit trail over the API: browse and export; it has no write endpoint."""

from flask import Response, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from inventory.api.fields import AwareDateTime, Strict
from inventory.api.pagination import paginate
from inventory.audit import queries
from inventory.audit.export import trail_csv
from inventory.auth.permissions import ensure_role
from inventory.db import db

blp = Blueprint("audit_api", __name__, description="The audit trail 操作日志")

#: who reads the trail: it names every user and what they changed
READERS = ("admin", "auditor")
#: the most events one CSV export holds; narrow the period for more
EXPORT_LIMIT = 100_000


class TrailQuerySchema(Strict):
    since = AwareDateTime(load_default=None, metadata={"description": "from this moment on"})
    until = AwareDateTime(load_default=None, metadata={"description": "before this moment"})
    entity = fields.String(load_default=None, validate=validate.Length(min=1, max=20),
                           metadata={"description": "the kind of thing changed, e.g. depot, "
                                                    "item, shelter, user, agreement, scenario"})
    actor = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                          metadata={"description": "the username of who made the change"})


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.Function(lambda e: e.actor.username if e.actor else None,
                            metadata={"description": "empty for the system itself"})
    action = fields.String()
    entity = fields.String(attribute="subject_type")
    entity_id = fields.Integer(attribute="subject_id")
    before = fields.Raw(allow_none=True, metadata={"description": "the changed fields' values "
                                                                  "before; empty on creation"})
    after = fields.Raw(allow_none=True)
    details = fields.Raw(attribute="particulars")


def _filter(query) -> queries.TrailFilter:
    ensure_role(g.user, *READERS)
    return queries.TrailFilter(**query)


@blp.route("/audit-events")
class AuditEvents(MethodView):
    @blp.arguments(TrailQuerySchema(), location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The audit trail, newest first: who changed what outside the ledger, before and after
        (admin, auditor)"""
        return paginate(queries.trail(_filter(query)), pagination_parameters)


@blp.route("/audit-events.csv")
class AuditEventsCsv(MethodView):
    @blp.arguments(TrailQuerySchema(), location="query")
    @blp.response(200, {"format": "binary", "type": "string"}, content_type="text/csv")
    def get(self, query):
        """The filtered audit trail as CSV (UTF-8 with BOM, Chinese headers; admin, auditor)"""
        events = db.session.scalars(queries.trail(_filter(query)).limit(EXPORT_LIMIT))
        return Response(trail_csv(events), mimetype="text/csv", headers={
            "Content-Disposition": "attachment; filename=audit-events.csv"})
