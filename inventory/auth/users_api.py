"""Users over the API (admin): list, create, change, reset a password, list and revoke their
tokens; and one's own password and tokens. Passwords and tokens are taken, never shown."""

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from inventory.api.fields import Strict
from inventory.auth import queries, services
from inventory.auth.models import ROLES
from inventory.auth.permissions import ensure_role
from inventory.auth.tokens import token_cache
from inventory.db import db

blp = Blueprint("users_api", __name__, description="Users and roles 用户与角色")

#: who reads the list of users: admins keep it, auditors see everything
READERS = ("admin", "auditor")
_depot_codes = fields.List(fields.String(validate=validate.Length(min=1, max=32)),
                           validate=validate.Length(max=500),
                           metadata={"description": "codes of the depots a keeper looks after"})
_password = fields.String(required=True, load_only=True,
                          validate=validate.Length(min=services.MIN_PASSWORD,
                                                   max=services.MAX_PASSWORD))


class UserSchema(Schema):
    username = fields.String()
    display_name = fields.String(allow_none=True)
    role = fields.String()
    depots = fields.Function(lambda u: sorted(d.code for d in u.depots))
    active = fields.Boolean()
    created_at = fields.DateTime()
    password_changed_at = fields.DateTime(allow_none=True)
    valid_tokens = fields.Integer(metadata={"description": "bearer tokens not revoked"})


class NewUserSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = _password
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    depots = _depot_codes
    display_name = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=100))


class UserChangeSchema(Strict):
    role = fields.String(validate=validate.OneOf(ROLES))
    depots = _depot_codes
    active = fields.Boolean()
    display_name = fields.String(allow_none=True, validate=validate.Length(max=100))


class PasswordSchema(Strict):
    password = _password


class OwnPasswordSchema(Strict):
    current_password = fields.String(required=True, load_only=True,
                                      validate=validate.Length(min=1, max=200))
    password = _password


class TokenRowSchema(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True,
                         metadata={"description": "the device, as named at login"})
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True,
                                   metadata={"description": "to within five minutes"})
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    current = fields.Boolean(metadata={"description": "the token this request is made with"})


class RevokedSchema(Schema):
    revoked = fields.Integer(metadata={"description": "how many tokens were still valid"})


def _shown(user):
    return queries.user_row(db.session, user)


def _request_digest() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return services.token_digest(token.strip()) if scheme.lower() == "bearer" else None


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    def get(self):
        """Every user with role, depots and whether active (admin, auditor)"""
        ensure_role(g.user, *READERS)
        return queries.list_users(db.session)

    @blp.arguments(NewUserSchema())
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user (admin)"""
        ensure_role(g.user, "admin")
        password = data.pop("password")
        return _shown(services.create_user(
            db.session, data.pop("username"), password, data.pop("role"), actor=g.user,
            depots=data.get("depots") or [], display_name=data.get("display_name")))


@blp.route("/users/<username>")
class UserByName(MethodView):
    @blp.arguments(UserChangeSchema())
    @blp.response(200, UserSchema)
    def patch(self, data, username):
        """Change a user's role, depots, active flag or display name (admin); deactivation
        ends their sessions and tokens at once"""
        return _shown(services.update_user(db.session, g.user, username, token_cache(), **data))


@blp.route("/users/<username>/password")
class UserPassword(MethodView):
    @blp.arguments(PasswordSchema())
    @blp.response(204)
    def post(self, data, username):
        """Reset a user's password (admin); their web sessions end"""
        services.reset_password(db.session, g.user, username, data["password"])


@blp.route("/users/<username>/tokens")
class UserTokens(MethodView):
    @blp.response(200, TokenRowSchema(many=True))
    def get(self, username):
        """A user's bearer tokens, newest first, revoked ones included (admin, auditor)"""
        ensure_role(g.user, *READERS)
        user = services.get_user(db.session, username)
        return queries.list_tokens(db.session, user.id, _request_digest())

    @blp.response(200, RevokedSchema)
    def delete(self, username):
        """Revoke every bearer token of a user (admin)"""
        return {"revoked": services.revoke_tokens(db.session, g.user, username, token_cache())}


@blp.route("/users/<username>/tokens/<int:token_id>")
class UserToken(MethodView):
    @blp.response(204)
    def delete(self, username, token_id):
        """Revoke one bearer token of a user (admin); one already revoked answers 204 too"""
        services.revoke_user_token(db.session, g.user, username, token_id, token_cache())


@blp.route("/me/tokens")
class OwnTokens(MethodView):
    @blp.response(200, TokenRowSchema(many=True))
    def get(self):
        """Your own bearer tokens (one per device logged in), newest first, revoked ones
        included; ``current`` marks the one this request is made with"""
        return queries.list_tokens(db.session, g.user.id, _request_digest())


@blp.route("/me/tokens/<int:token_id>")
class OwnToken(MethodView):
    @blp.response(204)
    def delete(self, token_id):
        """Revoke one of your own bearer tokens (a lost phone); another user's token answers
        404, one already revoked answers 204 again"""
        services.revoke_own_token(db.session, g.user, token_id, token_cache())


@blp.route("/me/password")
class OwnPassword(MethodView):
    @blp.arguments(OwnPasswordSchema())
    @blp.response(204)
    def post(self, data):
        """Change your own password, giving the current one; your web sessions end"""
        services.change_own_password(db.session, g.user.id, data["current_password"],
                                     data["password"])
