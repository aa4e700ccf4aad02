"""The S3 backend's tests run against a real S3-compatible server on loopback (tests/photos/s3server.py),
one server for the run and a bucket of its own for each test."""

import uuid

import boto3
import pytest
from botocore.config import Config

from tests.photos.s3server import ACCESS_KEY, REGION, SECRET_KEY, CheckedMotoServer
from tests.visits.conftest import Checkin


@pytest.fixture(scope="session")
def s3_endpoint():
    server = CheckedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Bucket:
    """A fresh bucket, the settings that point the app at it, and a client to look inside."""

    def __init__(self, endpoint: str, signed_url_seconds: int = 60):
        self.endpoint = endpoint
        self.name = f"zhaoying-{uuid.uuid4().hex[:12]}"
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY, config=Config(s3={"addressing_style": "path"}))
        self.client.create_bucket(Bucket=self.name)
        self.config = {"PHOTO_STORAGE": "s3", "S3_ENDPOINT_URL": endpoint, "S3_BUCKET": self.name, "S3_REGION": REGION,
                       "S3_ACCESS_KEY_ID": ACCESS_KEY, "S3_SECRET_ACCESS_KEY": SECRET_KEY,
                       "S3_ADDRESSING_STYLE": "path", "SIGNED_URL_SECONDS": signed_url_seconds}

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def bucket(s3_endpoint):
    return Bucket(s3_endpoint)


@pytest.fixture
def app_config(app_config, bucket):
    """The app of these tests keeps its photos in ``bucket``."""
    return {**app_config, **bucket.config}


@pytest.fixture
def checkin(client, session, world):
    return Checkin(client, session, world)
