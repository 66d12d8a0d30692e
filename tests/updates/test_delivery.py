"""Artifact delivery: several ranges in one request answer `206 multipart/byteranges` (RFC 9110 §14.6)."""

from __future__ import annotations

import hashlib
import os
import re

import pytest
import requests
from django.conf import settings
from django.test import Client

CONTENT = bytes(range(256)) * 64  # 16 KiB, every offset's byte known


def byteranges(content_type: str, body: bytes) -> list[tuple[str, bytes]]:
    """A multipart/byteranges parser written from RFC 9110 §14.6 and RFC 2046 §5.1.1: (Content-Range, bytes)."""
    match = re.fullmatch(r'multipart/byteranges;\s*boundary="?([^";]+)"?', content_type)
    assert match, content_type
    delimiter = b"--" + match.group(1).encode()
    # The body is: [preamble] delimiter part (CRLF delimiter part)* CRLF delimiter "--" [epilogue].
    first = body.index(delimiter)
    end = body.rindex(b"\r\n" + delimiter + b"--")
    parts = []
    for chunk in body[first + len(delimiter) : end].split(b"\r\n" + delimiter):
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode("ascii").split("\r\n"))
        assert headers["Content-Type"] == "application/octet-stream"
        parts.append((headers["Content-Range"], data))
    return parts


def content_of(content_range: str) -> bytes:
    first, last = map(int, re.fullmatch(r"bytes (\d+)-(\d+)/\d+", content_range).groups())
    return CONTENT[first : last + 1]


@pytest.fixture
def artifact_path(catalog) -> str:
    product = catalog.product()
    catalog.release(product, "1.0.0", content=CONTENT)
    url = Client().get(f"/api/updates/{product.slug}/stable/darwin-arm64/0.9.0").json()["url"]
    return url.removeprefix("http://testserver")


def test_several_ranges_answer_206_multipart_byteranges(artifact_path):
    response = Client().get(artifact_path, HTTP_RANGE="bytes=0-9, 100-199,16000-16099, -5")
    body = b"".join(response.streaming_content)
    assert response.status_code == 206
    assert int(response["Content-Length"]) == len(body)
    assert response["ETag"] == f'"{hashlib.sha256(CONTENT).hexdigest()}"'
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    parts = byteranges(response["Content-Type"], body)
    assert [r for r, _ in parts] == [
        "bytes 0-9/16384",
        "bytes 100-199/16384",
        "bytes 16000-16099/16384",
        "bytes 16379-16383/16384",
    ]
    assert all(data == content_of(content_range) for content_range, data in parts)


def test_unsatisfiable_ranges_are_dropped_and_a_single_left_is_a_plain_206(artifact_path):
    client = Client()
    response = client.get(artifact_path, HTTP_RANGE="bytes=20000-, 5-9")
    assert (response.status_code, response["Content-Range"]) == (206, "bytes 5-9/16384")
    assert b"".join(response.streaming_content) == CONTENT[5:10]
    assert client.get(artifact_path, HTTP_RANGE="bytes=20000-, 30000-").status_code == 416


@pytest.mark.parametrize(
    "header",
    [
        "bytes=0-1,x",
        "items=0-1,2-3",
        "bytes=0-1,,2-3",
        "bytes=" + ",".join(f"{i}-{i}" for i in range(0, 600, 2)),  # more parts than MAX_RANGES
        "bytes=100-199,0-9",  # descending, which CloudFront answers with the whole object too
        "bytes=0-,0-,0-",  # overlapping: the same bytes asked again and again
    ],
)
def test_malformed_unordered_or_abusive_range_sets_get_the_whole_file(artifact_path, header):
    response = Client().get(artifact_path, HTTP_RANGE=header)
    assert (response.status_code, b"".join(response.streaming_content)) == (200, CONTENT)


def test_a_head_request_for_several_ranges_states_the_length_without_a_body(artifact_path):
    client = Client()
    full = client.get(artifact_path, HTTP_RANGE="bytes=0-9,20-29")
    head = client.head(artifact_path, HTTP_RANGE="bytes=0-9,20-29")
    assert head.status_code == 206
    assert b"".join(head.streaming_content) == b""
    # Boundaries are per response; the lengths differ by nothing else.
    assert int(head["Content-Length"]) == int(full["Content-Length"])


def test_multi_range_requests_through_the_edge_twin_answer_multipart(local_stack, artifact_path):
    from benchmarks.servers import Nginx, Origins

    env = {
        "BENCH_DATA_DIR": str(settings.DEVDATA_DIR),
        **{
            f"BENCH_{name}_PORT": os.environ[f"DEVSTACK_{name}_PORT"]
            for name in ("DYNAMODB", "COGNITO", "S3", "IDENTITY")
        },
        "BENCH_TABLE_PREFIX": settings.DYNAMODB_TABLE_PREFIX,
        "BENCH_BUCKET": settings.AWS_STORAGE_BUCKET_NAME,
    }
    origins = Origins(1, env=env)
    try:
        nginx = Nginx(origins.ports, bucket_port=int(os.environ["DEVSTACK_S3_PORT"]))
        try:
            # A cold edge asks the origin for the whole file (answering 200 meanwhile, as RFC 9110 allows);
            # from then on it cuts the parts from its copy, as CloudFront does once it holds the object.
            first = requests.get(nginx.url + artifact_path, headers={"Range": "bytes=0-9,300-310"}, timeout=30)
            assert (first.status_code, first.content) in ((200, CONTENT), (206, first.content))
            for attempt in ("HIT", "HIT again"):
                response = requests.get(nginx.url + artifact_path, headers={"Range": "bytes=0-9,300-310"}, timeout=30)
                assert response.status_code == 206, attempt
                parts = byteranges(response.headers["Content-Type"], response.content)
                assert [r for r, _ in parts] == ["bytes 0-9/16384", "bytes 300-310/16384"], attempt
                assert all(data == content_of(content_range) for content_range, data in parts), attempt
        finally:
            nginx.stop()
    finally:
        origins.stop()
