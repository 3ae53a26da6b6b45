"""Printable documents the bureau files: transfer orders (调拨单), receipt (入库单) and issue
(出库单) documents, laid out on A4 by one shared layout."""
