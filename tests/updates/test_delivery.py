"""Artifact delivery: several ranges in one request answer `206 multipart/byteranges` (RFC 9110 §14.6)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
import requests
import yaml
from django.test import Client

from tests.conftest import edge_twin

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


@pytest.fixture(scope="module")
def twin(local_stack):
    """One origin process on this test process's stack behind the edge twin generated from mysite/edge.py."""
    with edge_twin(1) as (nginx, _):
        yield nginx


def test_multi_range_requests_through_the_edge_twin_answer_multipart(twin, artifact_path):
    # A cold edge asks the origin for the whole file (answering 200 meanwhile, as RFC 9110 allows);
    # from then on it cuts the parts from its copy, as CloudFront does once it holds the object.
    first = requests.get(twin.url + artifact_path, headers={"Range": "bytes=0-9,300-310"}, timeout=30)
    assert first.status_code in (200, 206)
    for attempt in ("HIT", "HIT again"):
        response = requests.get(twin.url + artifact_path, headers={"Range": "bytes=0-9,300-310"}, timeout=30)
        assert response.status_code == 206, attempt
        parts = byteranges(response.headers["Content-Type"], response.content)
        assert [r for r, _ in parts] == ["bytes 0-9/16384", "bytes 300-310/16384"], attempt
        assert all(data == content_of(content_range) for content_range, data in parts), attempt


def test_squirrel_windows_and_electron_updater_replays_through_the_edge_twin(twin, catalog):
    from tests.updates.test_desktop import content, parse_releases, release

    product = catalog.product()
    release(catalog, product, "1.0.0", {"windows-x64": "App-1.0.0-full.nupkg", "linux-x64": "App-1.0.0.AppImage"})
    release(catalog, product, "1.1.0", {"windows-x64": "App-1.1.0-full.nupkg", "linux-x64": "App-1.1.0.AppImage"})
    session = requests.Session()
    for _ in range(2):  # the second round is served by the edge
        feed = f"{twin.url}/update/{product.slug}/win32-x64/1.0.0/RELEASES?bucket=7&id=App&localVersion=1.0.0"
        answer = session.get(feed, timeout=30)
        assert answer.status_code == 200
        (entry,) = parse_releases(answer.text)
        assert entry["url"].startswith(twin.url)  # the download goes through the edge too
        package = session.get(entry["url"], timeout=30)
        assert hashlib.sha1(package.content).hexdigest().upper() == entry["sha1"]
        assert package.content == content(product.slug, "1.1.0", "windows-x64")

        info = yaml.safe_load(
            session.get(f"{twin.url}/updates/{product.slug}/electron-builder/latest-linux.yml").content
        )
        assert info["version"] == "1.1.0"
        appimage = session.get(info["files"][0]["url"], timeout=30)  # follows the 302 to the content address
        assert base64.b64encode(hashlib.sha512(appimage.content).digest()).decode() == info["sha512"]
    assert answer.headers["X-Cache"] == "HIT"
    assert package.headers["X-Cache"] == "HIT"
