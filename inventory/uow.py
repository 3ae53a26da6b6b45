"""The unit of work: one transaction per request, committed once by the outermost service call."""

from contextlib import contextmanager

from inventory.db import begin_write


@contextmanager
def unit_of_work(session):
    """Run the block in one write transaction; commit at the end, roll back on any error.

    Nested calls join the outer transaction, so a request that wraps several services
    (or the idempotency record and a service) still commits exactly once.
    """
    depth = session.info.get("uow_depth", 0)
    if depth:
        session.info["uow_depth"] = depth + 1
        try:
            yield session
            # The inner service is done: its rows get their ids now, so that what it
            # returns can be shown before the outer transaction commits.
            session.flush()
        finally:
            session.info["uow_depth"] = depth
        return
    begin_write(session)
    session.info["uow_depth"] = 1
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info["uow_depth"] = 0
