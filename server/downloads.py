"""A table as a file to download (CSV or XLSX), private to the one who asked."""

from urllib.parse import quote

from flask import Response

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(data: bytes, filename: str, fmt: str) -> Response:
    return Response(data, mimetype=MIMETYPES[fmt], headers={
        # an ASCII name for old clients, the form's Chinese title for the rest (RFC 6266)
        "Content-Disposition": f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{quote(filename)}.{fmt}",
        "Cache-Control": "private, no-store",
    })
