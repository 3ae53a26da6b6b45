"""Job kinds of the ledger: a full check and a seal, which on a city's ledger take longer
than a request should; and the purge of idempotency records past their retention."""

from datetime import timedelta

from flask import current_app

from inventory.api import idempotency
from inventory.db import utcnow
from inventory.jobs.runner import JobContext
from inventory.jobs.services import job_kind
from inventory.stock import ledger

#: who may check and seal the ledger (as over GET /ledger/verification and POST /ledger/seals)
LEDGER_ROLES = ("admin", "bureau", "auditor")
#: problems kept in a verification's result; the count is always whole
MAX_PROBLEMS = 200


@job_kind("ledger.verify", roles=LEDGER_ROLES, title_zh="核验台账", title_en="Verify the ledger")
def verify(ctx: JobContext) -> dict:
    """Check balances against the ledger, the hash chains and the seals."""
    ctx.progress("verify", "核验余额、哈希链与封存记录")
    report = ledger.verify_ledger(ctx.session)
    ctx.session.rollback()  # end the read transaction before the result is recorded
    return {"ok": report.ok, "lots_checked": report.lots_checked,
            "movements_checked": report.movements_checked,
            "seals_checked": report.seals_checked, "problems_count": len(report.problems),
            "problems": report.problems[:MAX_PROBLEMS]}


@job_kind("ledger.seal", roles=LEDGER_ROLES, title_zh="封存台账", title_en="Seal the ledger")
def seal(ctx: JobContext) -> dict:
    """Seal the ledger's chain heads now."""
    ctx.progress("seal", "封存各批次链头")
    taken = ledger.take_seal(ctx.session, kind="on_demand", actor=ctx.actor)
    return {"seal": taken.id, "digest": taken.digest, "lots_count": taken.lots_count,
            "movements_count": taken.movements_count}


@job_kind("idempotency.purge", roles=("admin",), title_zh="清理幂等记录",
          title_en="Purge old idempotency records")
def purge_idempotency(ctx: JobContext) -> dict:
    """Delete the idempotency records older than IDEMPOTENCY_RETENTION_DAYS."""
    days = current_app.config["IDEMPOTENCY_RETENTION_DAYS"]
    ctx.progress("purge", "清理过期的幂等记录")
    purged = idempotency.purge(ctx.session, utcnow() - timedelta(days=days))
    return {"purged": purged, "retention_days": days}
