"""Paging of query results for flask-smorest's ``@blp.paginate()``."""

from sqlalchemy import func, select

from inventory.db import db


def paginate(stmt, pagination_parameters):
    """Return one page of a query and set the total for the X-Pagination header."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pagination_parameters.item_count = total
    page, size = pagination_parameters.page, pagination_parameters.page_size
    offset = (page - 1) * size
    if offset >= total:  # past the end (also keeps absurd page numbers out of SQL)
        return []
    return db.session.scalars(stmt.limit(size).offset(offset)).all()
