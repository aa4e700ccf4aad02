"""A stored photo as an HTTP answer: the file (private, never in a shared cache) or, with object
storage, a short-lived signed URL."""

from flask import redirect, send_file

from server.errors import fail
from server.settings import current as current_settings


def send_stored(sha256: str, *, thumb: bool = False):
    """The stored photo ``sha256`` as the answer, once its owner's rule has let the reader in (a
    visit's photo: server/photos/routes.py; a signed agreement's: server/care/document_routes.py)."""
    found = current_settings().photos.store().locate(sha256, thumb=thumb)
    if found is None:
        fail(404, "photo_not_found")
    if found.url is not None:
        # object storage: a URL for this one object, valid SIGNED_URL_SECONDS; the redirect itself
        # is never kept, so a later read asks (and is checked and audited) again
        response = redirect(found.url, 302)
        response.cache_control.no_store = True
        return response
    response = send_file(found.path, mimetype="image/jpeg", etag=f"{sha256}{'-t' if thumb else ''}",
                         conditional=True, max_age=86400)
    # private: a shared cache must never hold a photo of someone's home
    response.cache_control.private = True
    response.cache_control.public = False
    return response
