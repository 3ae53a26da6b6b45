"""Reads of the integrity page: the seals, and the ledger rows a verification names."""

from sqlalchemy import select

from inventory.auth.models import User
from inventory.stock.models import Movement, Seal

#: seals listed on the page, newest first
SEALS_LISTED = 50


def recent_seals(session, limit: int = SEALS_LISTED) -> list[tuple[Seal, str | None]]:
    """Return the newest seals with the username of whoever took each (None: the daily
    seal)."""
    return [tuple(row) for row in session.execute(
        select(Seal, User.username).outerjoin(User, User.id == Seal.actor_id)
        .order_by(Seal.id.desc()).limit(limit))]


def rows_named(session, ids: list[int]) -> dict[int, Movement]:
    """Return the ledger rows with the given ids, by id."""
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Movement).where(Movement.id.in_(ids)))}
