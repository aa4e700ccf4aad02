"""A table as a file to download (CSV or XLSX), private to the one who asked."""

from collections.abc import Iterable
from urllib.parse import quote

from flask import Response, g, stream_with_context

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(data: bytes | Iterable[bytes], filename: str, fmt: str) -> Response:
    """``data``: the file, or its chunks as they are written (a streamed export: the rows are read
    from the database while the first chunks are already on their way). A streamed response owns
    the request's session: it stays open while the rows are read and is committed (the reads it
    audited) and closed after the last chunk, rolled back if the stream breaks off."""
    headers = {
        # an ASCII name for old clients, the form's Chinese title for the rest (RFC 6266)
        "Content-Disposition": f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{quote(filename)}.{fmt}",
        "Cache-Control": "private, no-store",
    }
    if isinstance(data, bytes):
        return Response(data, mimetype=MIMETYPES[fmt], headers=headers)
    session = g.pop("db_session", None)

    def chunks():
        done = False
        try:
            yield from data
            done = True
        finally:
            if session is not None:
                if done:
                    session.commit()
                else:
                    session.rollback()
                session.close()

    return Response(stream_with_context(chunks()), mimetype=MIMETYPES[fmt], headers=headers)
