"""A real S3 HTTP endpoint for the tests: moto's standalone server, in a process of its own on a
free loopback port (no S3 server is packaged here; moto speaks the same protocol over HTTP).

`S3Server` starts it and makes a bucket; `environ` is what a process needs to reach it (the
usual AWS credential variables, which the store's client reads like any AWS client).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx

from tests.live_server import free_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "sealbox-test",
    "AWS_SECRET_ACCESS_KEY": "sealbox-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class S3Server:
    port: int = 0
    bucket: str = field(default_factory=lambda: "sealbox-" + secrets.token_hex(4))
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **CREDENTIALS},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.endpoint + "/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("moto's S3 server did not answer")
        self.client().create_bucket(Bucket=self.bucket)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def settings(self) -> dict[str, str]:
        """The settings (as SEALBOX_* names, lower case) that put an instance's blobs here."""
        return {"blob_backend": "s3", "s3_bucket": self.bucket, "s3_endpoint": self.endpoint}

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket, with its bytes."""
        client = self.client()
        listing = client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {
            item["Key"]: client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
            for item in listing
        }
