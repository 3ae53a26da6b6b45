"""The audit trail's pages, without HTTP."""

from inventory.audit import record
from inventory.audit.queries import TrailFilter, trail_page
from inventory.db import db


def test_the_trail_comes_a_page_at_a_time_newest_first_and_a_page_past_the_end_gives_the_last(
        world):
    depot = world.depots["XZ-01"]
    for n in range(5):
        record(db.session, world.users["admin"], f"depot.note{n}", "depot", depot.id)
    db.session.commit()
    wanted = TrailFilter(entity="depot")
    first = trail_page(db.session, wanted, 1, 2)
    assert (first.total, first.pages, first.page) == (5, 3, 1)
    assert [e.action for e in first.events] == ["depot.note4", "depot.note3"]
    last = trail_page(db.session, wanted, 99, 2)
    assert last.page == 3 and [e.action for e in last.events] == ["depot.note0"]
    assert trail_page(db.session, wanted, -4, 2).page == 1
    nothing = trail_page(db.session, TrailFilter(entity="nothing"), 1, 2)
    assert (nothing.total, nothing.pages, nothing.page, nothing.events) == (0, 1, 1, [])
