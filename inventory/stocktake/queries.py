"""Reads of stocktakes for their pages, callable without HTTP."""

from sqlalchemy import select

from inventory.stocktake.models import Stocktake


def awaiting_approval(session) -> list[Stocktake]:
    """Return the submitted counts, the longest waiting first."""
    return list(session.scalars(select(Stocktake).where(Stocktake.status == "submitted")
                                .order_by(Stocktake.submitted_at)))


def recent(session, limit: int = 50) -> list[Stocktake]:
    """Return the latest counts that are not waiting for approval, newest first."""
    return list(session.scalars(select(Stocktake).where(Stocktake.status != "submitted")
                                .order_by(Stocktake.id.desc()).limit(limit)))
