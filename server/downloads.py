"""A table as a file to download (CSV or XLSX), private to the one who asked."""

from collections.abc import Iterable
from urllib.parse import quote

from flask import Response, g, stream_with_context

from server.auth.current import current_actor
from server.db import get_session
from server.places import service as places
from server.places.models import Place
from server.settings import today
from server.tables import Form

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def paper_form(title: str, tab: str, measure: str | None = "人") -> Form:
    """The paper form around a table the logged-in user downloads: 填报单位 their own office (the
    district's 民政局 by its name, or their township), 填报日期 today in the district's zone."""
    place = get_session().get(Place, current_actor().user.place_id)
    return Form(title=title, tab=tab, unit=places.office_name(place) if place else "", filled_on=today(),
                measure=measure)


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
        return Response(data, content_type=MIMETYPES[fmt], headers=headers)
    # The first chunk is written here, before the status is sent: whatever fails in it (an XLSX is
    # whole before its first chunk) is the request's error answer, never a page in mid-stream.
    data = iter(data)
    first = next(data, b"")
    session = g.pop("db_session", None)

    def chunks():
        done = False
        try:
            yield first
            yield from data
            done = True
        finally:
            if session is not None:
                if done:
                    session.commit()
                else:
                    session.rollback()
                session.close()

    return Response(stream_with_context(chunks()), content_type=MIMETYPES[fmt], headers=headers)
