"""Artifact delivery: CDN URLs when a CDN is configured, else an origin route with Range support."""

from __future__ import annotations

import re

from botocore.exceptions import ClientError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from mysite import aws, storage
from mysite.cdn import cdn_url
from mysite.errors import NotFound
from updates.constants import ARTIFACT_PREFIX, FILENAME_PATTERN, IMMUTABLE, WITHDRAWN_PREFIX
from updates.errors import ArtifactWithdrawn
from updates.models import Artifact

STREAM_CHUNK = 256 * 1024
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")


def artifact_url(request: HttpRequest, artifact: Artifact) -> str:
    """Where clients download an artifact: the CDN domain if set, else this site's artifact route."""
    return cdn_url(artifact.key) or request.build_absolute_uri(
        reverse("updates:artifact", args=[artifact.sha256, artifact.filename])
    )


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) for a single `bytes=` range; None to send the whole file; ValueError if unsatisfiable."""
    match = _RANGE.fullmatch(header.strip())
    if not match or match.groups() == ("", ""):
        return None  # multi-range or malformed: RFC 9110 lets us answer with the full representation
    start, end = match.groups()
    if start == "":
        length = int(end)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if first >= size or first > last:
        raise ValueError("range outside the file")
    return first, last


def artifact_withdrawn_check(*, sha256: str, filename: str) -> None:
    """410 for a file of a yanked release (services.artifacts_withdraw moved it); only asked once a file is missing."""
    if storage.object_head(f"{WITHDRAWN_PREFIX}{sha256}/{filename}") is not None:
        raise ArtifactWithdrawn()


def artifact_response(request: HttpRequest, *, sha256: str, filename: str) -> HttpResponse:
    """Stream `artifacts/<sha256>/<filename>` from S3: ETag, 304, Range -> 206, immutable caching."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256) or not FILENAME_PATTERN.match(filename):
        raise NotFound("No such artifact.")
    key = f"{ARTIFACT_PREFIX}{sha256}/{filename}"
    head = storage.object_head(key)
    if head is None:
        artifact_withdrawn_check(sha256=sha256, filename=filename)
        raise NotFound("No such artifact.")
    size = int(head["ContentLength"])
    etag = f'"{sha256}"'  # the content address is a perfect strong validator
    common = {
        "ETag": etag,
        "Cache-Control": IMMUTABLE,
        "Accept-Ranges": "bytes",
        "Last-Modified": http_date(head["LastModified"].timestamp()),
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    # RFC 9110's preconditions as Django implements them: weak If-None-Match, "*", If-Modified-Since.
    probe = HttpResponse()
    for name, value in common.items():
        probe[name] = value
    last_modified = int(head["LastModified"].timestamp())
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified, response=probe)
    if conditional is not probe:
        return conditional  # 304, or 412 for a failed If-Match
    range_header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if range_header and if_range and if_range.strip() != etag:
        range_header = None  # the client's partial copy is of other bytes: send everything
    try:
        byte_range = _byte_range(range_header, size) if range_header else None
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        for name, value in common.items():
            response[name] = value
        return response
    params = {"Bucket": storage.bucket(), "Key": key}
    if byte_range:
        params["Range"] = f"bytes={byte_range[0]}-{byte_range[1]}"
    try:
        body = aws.client("s3").get_object(**params)["Body"]
    except ClientError:
        raise NotFound("No such artifact.") from None
    if request.method == "HEAD":
        body.close()
        chunks: object = iter(())
    else:
        chunks = body.iter_chunks(STREAM_CHUNK)
    response = StreamingHttpResponse(chunks, status=206 if byte_range else 200, content_type="application/octet-stream")
    for name, value in common.items():
        response[name] = value
    if byte_range:
        response["Content-Range"] = f"bytes {byte_range[0]}-{byte_range[1]}/{size}"
        response["Content-Length"] = str(byte_range[1] - byte_range[0] + 1)
    else:
        response["Content-Length"] = str(size)
    return response
