"""Background jobs over the API: submit a job of a registered kind, watch it, cancel it."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from inventory.api.fields import Strict
from inventory.api.idempotency import idempotent
from inventory.api.pagination import paginate
from inventory.db import db
from inventory.jobs import services
from inventory.jobs.models import JOB_STATUSES

blp = Blueprint("jobs_api", __name__, description="Background jobs 后台任务")


class JobSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String(metadata={"description": "queued, running, finished, failed or "
                                                    "cancelled"})
    params = fields.Dict(attribute="parameters")
    phase = fields.String(allow_none=True, metadata={"description": "the step it is at"})
    progress = fields.String(allow_none=True)
    result = fields.Raw(attribute="outcome", allow_none=True,
                        metadata={"description": "what it produced, once finished"})
    error = fields.String(allow_none=True)
    cancel_requested = fields.Boolean()
    requested_by = fields.Function(lambda j: j.requested_by.username if j.requested_by else None)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class JobSubmitSchema(Strict):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"description": "a registered kind, e.g. ledger.verify"})
    params = fields.Dict(load_default=dict, keys=fields.String(validate=validate.Length(max=100)))


class JobQuerySchema(Strict):
    kind = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    status = fields.String(load_default=None, validate=validate.OneOf(JOB_STATUSES))


@blp.route("/jobs")
class Jobs(MethodView):
    @blp.arguments(JobQuerySchema(), location="query")
    @blp.response(200, JobSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List jobs, newest first"""
        return paginate(services.list_jobs(**query), pagination_parameters)

    @idempotent
    @blp.arguments(JobSubmitSchema())
    @blp.response(202, JobSchema)
    def post(self, data):
        """Submit a job; it runs in a consumer process (poll GET /jobs/<id>)"""
        return services.submit(db.session, g.user, data["kind"], data["params"])


@blp.route("/jobs/<int(max=2147483647):job_id>")
class JobById(MethodView):
    @blp.response(200, JobSchema)
    def get(self, job_id):
        """Show one job: status, step, result or error"""
        return services.get_job(db.session, job_id)


@blp.route("/jobs/<int(max=2147483647):job_id>/cancel")
class Cancel(MethodView):
    @idempotent
    @blp.response(200, JobSchema)
    def post(self, job_id):
        """Cancel a job: one waiting never runs, one running stops at its next check"""
        return services.cancel(db.session, g.user, job_id)
