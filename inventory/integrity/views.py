"""/integrity/: run ``verify-ledger`` and see exactly which rows break the chain or the
balances, take a seal, list the seals. For the auditor, the bureau and admins, who may do
the same over the API (``GET /ledger/verification``, ``POST /ledger/seals``)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.auth.permissions import ensure_role
from inventory.base import N_
from inventory.db import db
from inventory.documents.views import refused
from inventory.errors import DomainError
from inventory.integrity import queries
from inventory.jobs.kinds import LEDGER_ROLES
from inventory.stock import ledger

bp = Blueprint("integrity", __name__, url_prefix="/integrity")

#: what each kind of finding means, for the page
FINDING_LABELS = {
    "chain_gap": N_("链断缺行：序号不连续"),
    "broken_link": N_("链接断开：上一行哈希不符"),
    "edited": N_("内容被改：哈希与本行内容不符"),
    "negative": N_("结存为负"),
    "balance": N_("结存与台账累计不符"),
    "on_hand": N_("批次现存与台账累计不符"),
    "head": N_("批次链头与台账末行不符（行被删除或增加？）"),
    "orphan": N_("台账行所属批次不存在"),
    "seal": N_("封存记录不符"),
}
#: findings listed on the page; the count is always whole
FINDINGS_LISTED = 500


def _allowed():
    try:
        ensure_role(current_user, *LEDGER_ROLES)
    except DomainError as error:
        return refused(error, gettext("您无权核验或封存台账"))
    return None


def _page(report=None):
    findings = report.findings[:FINDINGS_LISTED] if report else []
    rows = queries.rows_named(db.session, [f.movement_id for f in findings if f.movement_id])
    return render_template("integrity/index.html", report=report, findings=findings,
                           rows=rows, seals=queries.recent_seals(db.session),
                           labels=FINDING_LABELS, listed=FINDINGS_LISTED)


@bp.get("/")
@login_required
def index():
    """The seals, and the buttons to verify the ledger and take a seal."""
    return _allowed() or _page()


@bp.get("/verification")
@login_required
def verification():
    """Verify the whole ledger now and list what is wrong, row by row."""
    return _allowed() or _page(ledger.verify_ledger(db.session))


@bp.post("/seals")
@login_required
def take_seal():
    """Seal the chain heads now (on demand)."""
    if (refusal := _allowed()) is not None:
        return refusal
    seal = ledger.take_seal(db.session, kind="on_demand", actor=current_user)
    flash(gettext("已封存：第 %(id)s 号封存，%(lots)s 个批次，%(rows)s 行台账。", id=seal.id,
                  lots=seal.lots_count, rows=seal.movements_count), "ok")
    return redirect(url_for("integrity.index"))
