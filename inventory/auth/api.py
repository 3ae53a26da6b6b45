"""API login: exchange a username and password for a bearer token."""

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from inventory.api.fields import Strict
from inventory.auth import services
from inventory.auth.tokens import token_cache
from inventory.db import db
from inventory.errors import InvalidInput

blp = Blueprint("auth_api", __name__, description="Logging in 登录")


class LoginSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(load_default=None, validate=validate.Length(max=100),
                         metadata={"description": "a name for the token, e.g. the device"})


class TokenSchema(Schema):
    token = fields.String()
    username = fields.String()
    role = fields.String()
    depots = fields.List(fields.String())
    expires_at = fields.DateTime(allow_none=True,
                                 metadata={"description": "when the token stops working"})


class MeSchema(Schema):
    username = fields.String()
    display_name = fields.String(allow_none=True)
    role = fields.String()
    depots = fields.Function(lambda u: [d.code for d in u.depots])


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(LoginSchema())
    @blp.response(201, TokenSchema)
    @blp.doc(security=[])
    def post(self, data):
        """Log in: returns a bearer token for the Authorization header"""
        user = services.log_in(db.session, data["username"], data["password"],
                               request.remote_addr)
        token, expires_at = services.issue_token(
            db.session, user.username, data["name"],
            days=current_app.config["API_TOKEN_LIFETIME_DAYS"])
        return {"token": token, "username": user.username, "role": user.role,
                "depots": [d.code for d in user.depots], "expires_at": expires_at}

    @blp.response(204)
    def delete(self):
        """Log out: revoke the bearer token of this request"""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            # A web session logs out with POST /logout; it has no token to revoke.
            raise InvalidInput("此请求没有访问令牌可撤销；网页登录请用“退出”。",
                               "This request carries no bearer token to revoke; a web session "
                               "logs out with POST /logout.")
        services.revoke_token(db.session, token.strip(), token_cache())


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """The user the token belongs to, with their role and depots"""
        return g.user
