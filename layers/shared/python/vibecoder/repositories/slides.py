"""Slides: the rendered images of each request in the slides bucket, under ``SLIDES_PREFIX/<request id>/``.

The key convention is ``vibecoder.slides`` (CDK scopes every function's S3 permissions to that
prefix). Each method is one S3 call per object or page, the same calls the roles allow: PutObject,
GetObject (whole, or a byte range for a JPEG's header), a presigned GetObject, ListObjectsV2 under
the request's prefix and DeleteObjects.
"""

from __future__ import annotations

from typing import Any

from vibecoder.slides import SLIDES_PREFIX, brand_key, slide_key

HEAD_BYTES = 64 * 1024  # enough for a JPEG's markers up to its frame header (the renderer writes no EXIF)
DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys


class SlideRepository:
    """One slides bucket. The boto3 client is created on first use (a function that only edits progress
    messages never pays for it); pass ``s3`` to use another client (a fake in unit tests)."""

    def __init__(self, bucket: str, s3: Any = None):
        self.bucket = bucket
        self._client = s3

    @property
    def _s3(self) -> Any:
        if self._client is None:
            from vibecoder.aws import client  # noqa: PLC0415 - boto3 only when S3 is used

            self._client = client("s3")
        return self._client

    def store(self, request_id: str, index: int, extension: str, data: bytes, content_type: str,
              revision: int = 0) -> str:
        """Store one rendered slide (of an edit's ``revision``); its key."""
        key = slide_key(request_id, index, extension, revision)
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        return key

    def store_brand_image(self, user_id: str, kind: str, data: bytes, content_type: str) -> str:
        """Store a user's avatar or logo (replacing the one before); its key."""
        key = brand_key(user_id, kind)
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        return key

    def read(self, key: str) -> bytes:
        return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def read_head(self, key: str, size: int = HEAD_BYTES) -> bytes:
        """The object's first ``size`` bytes (all of it when shorter): a JPEG's header without the image."""
        return self._s3.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{size - 1}")["Body"].read()

    def presigned_url(self, key: str, expires_in: int) -> str:
        """A GET URL for the slide, signed with this function's role, valid ``expires_in`` seconds."""
        return self._s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                               ExpiresIn=expires_in)

    def keys(self, request_id: str) -> list[str]:
        """Every object under the request's prefix, in key order."""
        pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                   Prefix=f"{SLIDES_PREFIX}/{request_id}/")
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def delete(self, request_id: str) -> int:
        """Delete every object under the request's prefix; how many there were."""
        keys = self.keys(request_id)
        for start in range(0, len(keys), DELETE_BATCH):
            batch = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
            self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        return len(keys)

    def check(self) -> None:
        """Raise when the bucket is missing or unreadable. A one-key listing of the slides prefix rather
        than HeadBucket: both prove the bucket is there and readable, and this one needs ListBucket only
        under that prefix (HeadBucket needs it unconditioned)."""
        self._s3.list_objects_v2(Bucket=self.bucket, Prefix=f"{SLIDES_PREFIX}/", MaxKeys=1)
