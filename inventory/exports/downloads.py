"""An export as an HTTP answer: a download sent while it is produced."""

from flask import Response, stream_with_context

from inventory.exports.files import Export


def send(export: Export) -> Response:
    """Answer with the export as a download, streamed: the first bytes leave at once and
    memory stays flat however many rows follow (proxies are asked not to buffer it)."""
    return Response(stream_with_context(export.chunks), mimetype=export.mimetype,
                    headers={"Content-Disposition":
                             f'attachment; filename="{export.filename}"',
                             "X-Accel-Buffering": "no"})
