"""Artifact delivery: CDN URLs when a CDN is configured, else an origin route with Range support."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from itertools import pairwise

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
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")
# Differential downloaders (electron-updater with a .blockmap) ask many ranges at once; more than this gets the file.
MAX_RANGES = 256


def artifact_url(request: HttpRequest, artifact: Artifact) -> str:
    """Where clients download an artifact: the CDN domain if set, else this site's artifact route."""
    return cdn_url(artifact.key) or request.build_absolute_uri(
        reverse("updates:artifact", args=[artifact.sha256, artifact.filename])
    )


def _byte_ranges(header: str, size: int) -> list[tuple[int, int]] | None:
    """(first, last) per `bytes=` range, in the order asked; None to send the whole file; ValueError if unsatisfiable.

    RFC 9110 §14.2: a malformed header is ignored (whole file) and unsatisfiable ranges are dropped. As
    CloudFront does, several ranges must be ascending and must not overlap, else the whole file comes back
    (RFC 9110 lets a server refuse such sets, a denial-of-service pattern); so must more than MAX_RANGES.
    """
    unit, _, specs = header.strip().partition("=")
    if unit != "bytes" or not specs:
        return None
    parsed = [_RANGE_SPEC.fullmatch(spec.strip()) for spec in specs.split(",")]
    if not all(parsed) or len(parsed) > MAX_RANGES or any(m.groups() == ("", "") for m in parsed):
        return None
    ranges = []
    for match in parsed:
        start, end = match.groups()
        if start == "":
            if int(end) > 0:
                ranges.append((max(0, size - int(end)), size - 1))
            continue
        first, last = int(start), min(int(end), size - 1) if end else size - 1
        if first < size and first <= last:
            ranges.append((first, last))
    if not ranges:
        raise ValueError("no range inside the file")
    if any(later[0] <= earlier[1] for earlier, later in pairwise(ranges)):
        return None
    return ranges


def _part_head(boundary: str, first: int, last: int, size: int) -> bytes:
    return (
        f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Range: bytes {first}-{last}/{size}\r\n\r\n"
    ).encode("ascii")


def _multipart_body(key: str, ranges: list[tuple[int, int]], size: int, boundary: str) -> Iterator[bytes]:
    """`multipart/byteranges`: each part read from S3 as it is sent (S3 answers one range per request)."""
    s3 = aws.client("s3")
    for first, last in ranges:
        yield _part_head(boundary, first, last, size)
        body = s3.get_object(Bucket=storage.bucket(), Key=key, Range=f"bytes={first}-{last}")["Body"]
        yield from body.iter_chunks(STREAM_CHUNK)
    yield f"\r\n--{boundary}--\r\n".encode("ascii")


def _multipart_response(request: HttpRequest, key: str, ranges: list[tuple[int, int]], size: int) -> HttpResponse:
    boundary = uuid.uuid4().hex
    length = sum(len(_part_head(boundary, f, last, size)) + last - f + 1 for f, last in ranges)
    length += len(f"\r\n--{boundary}--\r\n")
    chunks = iter(()) if request.method == "HEAD" else _multipart_body(key, ranges, size, boundary)
    response = StreamingHttpResponse(chunks, status=206, content_type=f"multipart/byteranges; boundary={boundary}")
    response["Content-Length"] = str(length)
    return response


def artifact_withdrawn_check(*, sha256: str, filename: str) -> None:
    """410 for a file of a yanked release (services.artifacts_withdraw moved it); only asked once a file is missing."""
    if storage.object_head(f"{WITHDRAWN_PREFIX}{sha256}/{filename}") is not None:
        raise ArtifactWithdrawn()


def artifact_response(request: HttpRequest, *, sha256: str, filename: str) -> HttpResponse:
    """Stream `artifacts/<sha256>/<filename>` from S3: ETag, 304, Range -> 206 (several: multipart), immutable."""
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
        ranges = _byte_ranges(range_header, size) if range_header else None
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        for name, value in common.items():
            response[name] = value
        return response
    if ranges and len(ranges) > 1:
        response = _multipart_response(request, key, ranges, size)
        for name, value in common.items():
            response[name] = value
        return response
    byte_range = ranges[0] if ranges else None
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
