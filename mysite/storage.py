"""Direct browser <-> S3 transfers: presigned POST policies and GET URLs, and object helpers.

Browsers never stream files through Lambda: the API hands out a short-lived,
narrowly scoped permission and the browser talks to S3 (or CloudFront) itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import aws
from mysite.dynamo import chunks

UPLOAD_EXPIRES_SECONDS = 900
DOWNLOAD_EXPIRES_SECONDS = 300


def bucket() -> str:
    return settings.AWS_STORAGE_BUCKET_NAME


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]
    key: str
    max_bytes: int
    expires_in: int

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "fields": self.fields,
            "key": self.key,
            "max_bytes": self.max_bytes,
            "expires_in": self.expires_in,
        }


def presigned_post(
    *,
    key: str,
    max_bytes: int,
    content_type: str | None = None,
    content_type_prefix: str | None = None,
    accelerate: bool = False,
    expires_in: int = UPLOAD_EXPIRES_SECONDS,
) -> PresignedPost:
    """A POST policy that lets a browser upload exactly one object at `key`, at most `max_bytes`."""
    fields: dict[str, str] = {}
    conditions: list = [["content-length-range", 1, max_bytes]]
    if content_type:
        fields["Content-Type"] = content_type
        conditions.append({"Content-Type": content_type})
    elif content_type_prefix:
        conditions.append(["starts-with", "$Content-Type", content_type_prefix])
    s3 = aws.client("s3", accelerate=accelerate and getattr(settings, "S3_TRANSFER_ACCELERATION", False))
    post = s3.generate_presigned_post(
        Bucket=bucket(), Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
    )
    return PresignedPost(url=post["url"], fields=post["fields"], key=key, max_bytes=max_bytes, expires_in=expires_in)


def presigned_get(
    *,
    key: str,
    filename: str | None = None,
    expires_in: int = DOWNLOAD_EXPIRES_SECONDS,
    inline: bool = False,
    content_type: str | None = None,
) -> str:
    """A short-lived GET URL for one object; `filename` sets the download name, `content_type` the served type."""
    params = {"Bucket": bucket(), "Key": key}
    if content_type:
        params["ResponseContentType"] = content_type
    if filename:
        disposition = "inline" if inline else "attachment"
        safe = filename.replace('"', "").replace("\\", "")
        params["ResponseContentDisposition"] = f'{disposition}; filename="{safe}"'
    return aws.client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def object_head(key: str) -> dict | None:
    """The object's metadata (ContentLength, ContentType, ETag...), or None if it does not exist."""
    try:
        return aws.client("s3").head_object(Bucket=bucket(), Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise


def object_read(key: str, *, byte_range: str | None = None) -> bytes:
    params = {"Bucket": bucket(), "Key": key}
    if byte_range:
        params["Range"] = byte_range
    return aws.client("s3").get_object(**params)["Body"].read()


def object_write(key: str, body: bytes, *, content_type: str, cache_control: str | None = None) -> None:
    params = {"Bucket": bucket(), "Key": key, "Body": body, "ContentType": content_type}
    if cache_control:
        params["CacheControl"] = cache_control
    aws.client("s3").put_object(**params)


def object_copy(
    source: str, destination: str, *, content_type: str, cache_control: str, disposition: str | None = None
) -> None:
    """Copy an object within the bucket, its headers replaced by the ones given."""
    params = {
        "Bucket": bucket(),
        "Key": destination,
        "CopySource": {"Bucket": bucket(), "Key": source},
        "MetadataDirective": "REPLACE",
        "ContentType": content_type,
        "CacheControl": cache_control,
    }
    if disposition:
        params["ContentDisposition"] = disposition
    aws.client("s3").copy_object(**params)


def objects_delete(keys: list[str]) -> None:
    """Delete objects in batches of 1000 (S3's limit); missing keys are not an error."""
    s3 = aws.client("s3")
    for batch in chunks(keys, 1000):
        s3.delete_objects(Bucket=bucket(), Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
