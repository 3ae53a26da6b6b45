"""Imports over the API: templates, a preview with every row's errors, an all-or-nothing commit."""

from flask import Response, current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from inventory.db import db
from inventory.imports import services
from inventory.imports.columns import KINDS

blp = Blueprint("imports_api", __name__,
                description="Imports from XLSX or CSV 从表格导入（" + "、".join(
                    title for title, _ in KINDS.values()) + "）")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileSchema(Schema):
    file = Upload(required=True, metadata={"description": ".xlsx or .csv"})


class RowErrorSchema(Schema):
    row = fields.Integer()
    column = fields.String()
    message = fields.String()
    message_en = fields.String()


class PreviewSchema(Schema):
    kind = fields.String()
    rows = fields.Function(lambda p: len(p.rows))
    actions = fields.Function(lambda p: p.counts())
    row_actions = fields.Function(lambda p: [{"row": r, "action": a} for r, a in p.actions])
    errors = fields.List(fields.Nested(RowErrorSchema))


def _upload(data):
    upload = data["file"]
    limits = services.Limits.of(current_app.config)
    return services.read_upload(upload.stream, limits), upload.filename or "", limits


@blp.route("/imports/<kind>/template.<any(xlsx, csv):fmt>")
class Template(MethodView):
    @blp.response(200, {"format": "binary", "type": "string"}, content_type=XLSX)
    def get(self, kind, fmt):
        """Download the template of an import (Chinese headers, one example row)"""
        if fmt == "xlsx":
            return Response(services.template_xlsx(kind), mimetype=XLSX, headers={
                "Content-Disposition": f"attachment; filename={kind}-template.xlsx"})
        return Response(services.template_csv(kind), mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename={kind}-template.csv"})


@blp.route("/imports/<kind>/preview")
class PreviewView(MethodView):
    @blp.arguments(FileSchema, location="files")
    @blp.response(200, PreviewSchema)
    def post(self, data, kind):
        """Check a file: every row's errors (row, column, message) and what each row would do"""
        return services.preview(db.session, kind, *_upload(data))


@blp.route("/imports/<kind>")
class Commit(MethodView):
    @blp.arguments(FileSchema, location="files")
    @blp.response(201, PreviewSchema)
    def post(self, data, kind):
        """Import a file: every row, or nothing when any row has an error (422 with the errors)"""
        return services.commit(db.session, g.user, kind, *_upload(data))
