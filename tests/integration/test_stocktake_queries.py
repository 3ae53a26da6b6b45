"""The stocktake list's reads, without HTTP."""

from datetime import UTC, datetime, timedelta

from inventory.db import db
from inventory.stocktake import queries
from inventory.stocktake.models import Stocktake


def test_submitted_counts_wait_oldest_first_and_the_rest_are_listed_newest_first(world):
    depot, keeper = world.depots["XZ-01"], world.users["keeper"]
    handed_in = datetime(2026, 6, 1, tzinfo=UTC)
    for n, (status, submitted_hours) in enumerate([
            ("submitted", 5), ("approved", 1), ("submitted", 2), ("rejected", 3),
            ("counting", None)]):
        db.session.add(Stocktake(
            number=f"PD-T-{n}", depot=depot, status=status, note=f"第{n}次", started_by=keeper,
            submitted_at=None if submitted_hours is None
            else handed_in + timedelta(hours=submitted_hours)))
    db.session.commit()
    assert [s.note for s in queries.awaiting_approval(db.session)] == ["第2次", "第0次"]
    assert [s.note for s in queries.recent(db.session)] == ["第4次", "第3次", "第1次"]
    assert [s.note for s in queries.recent(db.session, limit=1)] == ["第4次"]
