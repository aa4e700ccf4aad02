"""Photos in S3-compatible object storage (AWS S3, MinIO, Aliyun OSS, Tencent COS …), for many
app servers at once; no Flask here.

Objects have the local store's names as keys ("photos/ab/cd/<sha256>[_t].jpg"). Readers never
get the bucket's credentials: the photo route checks the reader's right, audits the read, then
redirects to a URL signed for that one object, valid SIGNED_URL_SECONDS; the store itself
refuses the URL after that.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from server.photos.base import PREFIX, Located, PhotoStorage, StorageUnavailable, name_of

_MISSING = {"404", "NoSuchKey", "NotFound"}
_DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes


@functools.lru_cache(maxsize=8)
def _client(settings, *, public: bool = False):
    """One client per configuration and process (boto3 clients are thread-safe; making one costs
    tens of milliseconds). ``public``: the client that signs URLs for phones, on the public
    endpoint where that differs (a signature covers the host)."""
    endpoint = (settings.public_endpoint_url or settings.endpoint_url) if public else settings.endpoint_url
    config = Config(signature_version="s3v4", s3={"addressing_style": settings.addressing_style},
                    retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=settings.region, config=config,
        aws_access_key_id=settings.access_key_id, aws_secret_access_key=settings.secret_access_key)


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def public_origin(settings) -> str:
    """scheme://host[:port] of the URLs handed to readers (what botocore signs, whatever the
    addressing style)."""
    url = _client(settings, public=True).generate_presigned_url(
        "get_object", Params={"Bucket": settings.bucket, "Key": name_of("0" * 64)}, ExpiresIn=1)
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class S3PhotoStore(PhotoStorage):
    def __init__(self, settings):
        super().__init__()
        self.settings = settings
        self.bucket = settings.bucket
        self.client = _client(settings)

    def _call(self, method: str, **params):
        try:
            return getattr(self.client, method)(Bucket=self.bucket, **params)
        except ClientError as err:
            if _code(err) in _MISSING:
                return None
            raise StorageUnavailable(f"{method}: {_code(err)} {err}") from err
        except BotoCoreError as err:
            raise StorageUnavailable(f"{method}: {err}") from err

    def exists(self, name: str) -> bool:
        return self._call("head_object", Key=name) is not None

    def get(self, name: str) -> bytes | None:
        answer = self._call("get_object", Key=name)
        if answer is None:
            return None
        with answer["Body"] as body:
            return body.read()

    def put(self, name: str, data: bytes) -> None:
        self._call("put_object", Key=name, Body=data, ContentType="image/jpeg",
                   CacheControl="private, max-age=86400")

    def put_new(self, name: str, data: bytes) -> bool:
        # Asked first, then written only if still absent (If-None-Match): a store that ignores the
        # condition still never makes this request "own" (and so discard) a file stored before.
        if self.exists(name):
            return False
        try:
            self.client.put_object(Bucket=self.bucket, Key=name, Body=data, ContentType="image/jpeg",
                                   CacheControl="private, max-age=86400", IfNoneMatch="*")
        except ClientError as err:
            if _code(err) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                return False  # another request stored the same content just now
            raise StorageUnavailable(f"put_object: {_code(err)} {err}") from err
        except BotoCoreError as err:
            raise StorageUnavailable(f"put_object: {err}") from err
        return True

    def remove_many(self, names: Iterable[str]) -> None:
        names = list(names)
        for start in range(0, len(names), _DELETE_BATCH):
            keys = [{"Key": n} for n in names[start:start + _DELETE_BATCH]]
            answer = self._call("delete_objects", Delete={"Objects": keys, "Quiet": True})
            errors = (answer or {}).get("Errors") or []
            if errors:
                raise StorageUnavailable(f"delete_objects: {len(errors)} not deleted, e.g. {errors[0]}")

    def names(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=PREFIX)
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"]
        except (ClientError, BotoCoreError) as err:
            raise StorageUnavailable(f"list_objects_v2: {err}") from err

    def locate(self, sha256: str, *, thumb: bool = False) -> Located | None:
        name = name_of(sha256, thumb=thumb)
        if not self.exists(name):
            return None
        url = _client(self.settings, public=True).generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": name},
            ExpiresIn=self.settings.signed_url_seconds)
        return Located(url=url)
