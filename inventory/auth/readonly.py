"""Auditors see everything and change nothing: one check before every request that could
change something, on the API and on the pages alike, so a new endpoint is covered without
a line of its own."""

from flask import abort, g, request
from flask_babel import gettext
from flask_login import current_user

from inventory.api import API_BLUEPRINTS
from inventory.api.errors import error_body, language

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: what an auditor may still send: their own login, logout, password and tokens (their own
#: account, not the reserve's data), a read-only check of an import file, the ledger's seal
#: (an audit act that records the chain heads and changes no data), and the recipient trace
#: (a look-up sent as a POST so that an ID number stays out of URLs; it writes only its own
#: audit event)
AUDITOR_MAY = frozenset({
    ("POST", "auth_api.Tokens"), ("DELETE", "auth_api.Tokens"),
    ("POST", "users_api.OwnPassword"), ("DELETE", "users_api.OwnToken"),
    ("POST", "auth.login"), ("POST", "auth.logout"), ("POST", "users.own_password"),
    ("POST", "users.revoke_own_token"),
    ("POST", "imports_api.PreviewView"), ("POST", "imports.preview"),
    ("POST", "stock_api.Seals"), ("POST", "integrity.take_seal"),
    ("POST", "distributions_api.RecipientTrace"), ("POST", "distribution.recipient_trace"),
})
#: background jobs an auditor may submit: checking and sealing the ledger
AUDITOR_JOBS = frozenset({"ledger.verify", "ledger.seal"})
MESSAGE_ZH = "审计人员只能查看，无权更改任何数据。"
MESSAGE_EN = "Auditors can read everything and change nothing."


def _acting_user():
    if request.blueprint in API_BLUEPRINTS:
        return g.get("user")
    return current_user if current_user.is_authenticated else None


def _an_auditors_job() -> bool:
    if request.endpoint != "jobs_api.Jobs":
        return False
    body = request.get_json(silent=True)
    kind = body.get("kind") if isinstance(body, dict) else None
    return isinstance(kind, str) and kind in AUDITOR_JOBS  # a list or object is no job kind


def refuse_auditors_changes():
    """Answer 403 to an auditor's request that could change something."""
    if request.method in READ_METHODS or (request.method, request.endpoint) in AUDITOR_MAY:
        return None
    user = _acting_user()
    if user is None or user.role != "auditor" or _an_auditors_job():
        return None
    if request.blueprint in API_BLUEPRINTS:
        message = MESSAGE_ZH if language() == "zh" else MESSAGE_EN
        return error_body("forbidden", 403, message), 403
    abort(403, description=gettext("审计人员只能查看，无权更改任何数据。"))


def init_app(app) -> None:
    # After the API's token check, which tells who an API request acts for.
    """Refuse auditors' changes on every route."""
    app.before_request(refuse_auditors_changes)
