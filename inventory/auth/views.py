"""The administrator's pages for users (list, create, change, reset a password, list and
revoke tokens) and every user's own password and devices pages."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from inventory.auth import queries, services
from inventory.auth.models import ROLES
from inventory.auth.tokens import token_cache
from inventory.db import db, utcnow
from inventory.errors import DomainError, NotFound
from inventory.geo import queries as geo
from inventory.geo.models import Depot
from inventory.i18n import message_of

bp = Blueprint("users", __name__)
#: logging in and out (the users' pages are ``bp``)
login_bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Return where to go after logging in: a path on this site, else the home page."""
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("stock.index")


@login_bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with username and password; the session keeps the user logged in."""
    if request.method == "POST":
        try:
            user = services.log_in(db.session, request.form.get("username", ""),
                                   request.form.get("password", ""), request.remote_addr)
        except DomainError as error:
            _refused(error)
            return render_template("auth/login.html"), error.status
        login_user(user, remember=bool(request.form.get("remember")))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html")


@login_bp.post("/logout")
@login_required
def logout():
    """End the web session and return to the login page."""
    logout_user()
    return redirect(url_for("auth.login"))


def _admin_only() -> None:
    if current_user.role != "admin":
        abort(403)


def _refused(error: DomainError) -> None:
    flash(message_of(error), "error")


def _depots() -> list[Depot]:
    return geo.depots(db.session, active_only=False, shelters=False)


@bp.get("/users/")
@login_required
def index():
    """Every user, with a form to create one (admin)."""
    _admin_only()
    return render_template("users/index.html", users=queries.list_users(db.session),
                           roles=ROLES, depots=_depots())


@bp.post("/users/")
@login_required
def create():
    """Create a user from the form (admin)."""
    _admin_only()
    form = request.form
    try:
        services.create_user(db.session, form.get("username", ""), form.get("password", ""),
                             form.get("role", ""), depots=form.getlist("depots"),
                             display_name=form.get("display_name"), actor=current_user)
    except DomainError as error:
        _refused(error)
        return redirect(url_for("users.index"))
    flash(gettext("用户已建立。"), "ok")
    return redirect(url_for("users.edit", username=form.get("username", "").strip()))


@bp.get("/users/<username>")
@login_required
def edit(username):
    """One user: role, depots, active, display name; password reset and token revocation."""
    _admin_only()
    try:
        user = services.get_user(db.session, username)
    except NotFound:
        abort(404)
    return render_template(
        "users/edit.html", user=queries.user_row(db.session, user), roles=ROLES,
        depots=_depots(), held={d.code for d in user.depots},
        tokens=queries.list_tokens(db.session, user.id), now=utcnow(),
        revoke_url=lambda token_id: url_for("users.revoke_user_token", username=username,
                                            token_id=token_id))


def _then_back(action, done: str, username: str):
    try:
        action()
        flash(done, "ok")
    except DomainError as error:
        _refused(error)
    return redirect(url_for("users.edit", username=username))


@bp.post("/users/<username>")
@login_required
def update(username):
    """Save the user's role, depots, active flag and display name (admin)."""
    _admin_only()
    form = request.form
    changes = {"role": form.get("role", ""), "depots": form.getlist("depots"),
               "active": form.get("active") == "on",
               "display_name": form.get("display_name")}
    return _then_back(lambda: services.update_user(db.session, current_user, username,
                                                   token_cache(), **changes),
                      gettext("用户已更新。"), username)


@bp.post("/users/<username>/password")
@login_required
def reset_password(username):
    """Give the user a new password (admin); it is not shown again."""
    _admin_only()
    return _then_back(lambda: services.reset_password(db.session, current_user, username,
                                                      request.form.get("password", "")),
                      gettext("密码已重置，该用户须用新密码重新登录。"), username)


@bp.post("/users/<username>/tokens/revoke")
@login_required
def revoke_tokens(username):
    """Revoke every bearer token of the user (admin)."""
    _admin_only()
    return _then_back(lambda: services.revoke_tokens(db.session, current_user, username,
                                                     token_cache()),
                      gettext("该用户的全部访问令牌已撤销。"), username)


@bp.post("/users/<username>/tokens/<int:token_id>/revoke")
@login_required
def revoke_user_token(username, token_id):
    """Revoke one bearer token of the user (admin)."""
    _admin_only()
    return _then_back(lambda: services.revoke_user_token(db.session, current_user, username,
                                                         token_id, token_cache()),
                      gettext("访问令牌已撤销，该设备须重新登录。"), username)


@bp.get("/me/tokens")
@login_required
def own_tokens():
    """One's own devices: each bearer token, with a button to revoke one still working."""
    return render_template(
        "users/own_tokens.html", tokens=queries.list_tokens(db.session, current_user.id),
        now=utcnow(), revoke_url=lambda token_id: url_for("users.revoke_own_token",
                                                          token_id=token_id))


@bp.post("/me/tokens/<int:token_id>/revoke")
@login_required
def revoke_own_token(token_id):
    """Revoke one of one's own bearer tokens (a lost phone)."""
    try:
        services.revoke_own_token(db.session, current_user, token_id, token_cache())
        flash(gettext("访问令牌已撤销，该设备须重新登录。"), "ok")
    except DomainError as error:
        _refused(error)
    return redirect(url_for("users.own_tokens"))


@bp.route("/me/password", methods=["GET", "POST"])
@login_required
def own_password():
    """Change one's own password; this session stays logged in, every other one ends."""
    if request.method == "POST":
        form = request.form
        if form.get("password", "") != form.get("confirm", ""):
            flash(gettext("两次输入的新密码不一致。"), "error")
            return render_template("users/own_password.html"), 422
        try:
            user = services.change_own_password(db.session, current_user.id,
                                                form.get("current_password", ""),
                                                form.get("password", ""))
        except DomainError as error:
            _refused(error)
            return render_template("users/own_password.html"), 422
        login_user(user)  # the session now names the new session version
        flash(gettext("密码已修改。"), "ok")
        return redirect(url_for("stock.index"))
    return render_template("users/own_password.html")
