"""Artifact downloads from CloudFront standard logs (legacy format), and the local twin's log in the same format.

A standard log file is tab-separated W3C extended format: `#Version: 1.0`, a `#Fields:` line naming
the columns, then one line per request (CloudFront's 33 fields, see `CLOUDFRONT_FIELDS`), gzipped in
S3 as `<prefix><distribution id>.<YYYY-MM-DD-HH>.<unique id>.gz`. The parser honours the file's
`#Fields:` line, so files with fewer or more fields parse too.

A **download** is a GET of a content-addressed artifact (`/artifacts/<sha256>/<file>`, or the app's
`/updates/artifacts/...` route) answered 200, or 206 starting at byte 0 (a client's first range
request); resumed ranges, HEADs, 304s and errors are not downloads. Counts go to the
`cdn#<sha256>` counters per day; each file's counts are written in transactions of at most 99
counters with a marker item per chunk, so a redelivered S3 event counts nothing twice.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote

from botocore.exceptions import ClientError
from pynamodb.exceptions import TransactWriteError

from mysite import aws, storage
from mysite.cache import transaction
from updates.models import BeaconCounter

CDN_LOG_PREFIX = "cdn-logs/"
# The 33 fields of a standard log line, in CloudFront's order (the `#Fields:` line of every file).
CLOUDFRONT_FIELDS = (
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
)
_ARTIFACT_PATH = re.compile(r"/(?:updates/)?artifacts/(?P<sha256>[0-9a-f]{64})/(?P<filename>[^/]+)")
MAX_LOG_BYTES = 512 * 1024**2  # read at most this much of one (compressed) file: an hourly file is far smaller
CHUNK = 99  # counters per transaction, next to the chunk's marker (DynamoDB allows 100 items)


@dataclass(frozen=True)
class LogRequest:
    """The fields of one logged request that decide whether it is a download."""

    day: date
    method: str
    path: str
    status: int
    range_start: str


def parse_log(lines: Iterable[str]) -> Iterator[LogRequest]:
    """The requests in a CloudFront standard log (or the twin's), by the file's own `#Fields:` line."""
    fields = CLOUDFRONT_FIELDS
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                fields = line.removeprefix("#Fields:").split()
            continue
        values = dict(zip(fields, line.split("\t"), strict=False))
        try:
            yield LogRequest(
                day=date.fromisoformat(values["date"]),
                method=values.get("cs-method", ""),
                path=unquote(values.get("cs-uri-stem", "")),
                status=int(values.get("sc-status", "0")),
                range_start=values.get("sc-range-start", "-"),
            )
        except (KeyError, ValueError):
            continue  # a truncated or foreign line: CloudFront's own files have none


def download_of(request: LogRequest) -> str | None:
    """The artifact's sha256 when the request is a download by the rule above, else None."""
    if request.method != "GET":
        return None
    match = _ARTIFACT_PATH.fullmatch(request.path)
    if match is None:
        return None
    if request.status == 200 or (request.status == 206 and request.range_start == "0"):
        return match["sha256"]
    return None


def downloads_by_day(lines: Iterable[str]) -> Counter[tuple[str, date]]:
    """(sha256, day) -> downloads in one log file."""
    counts: Counter[tuple[str, date]] = Counter()
    for request in parse_log(lines):
        sha256 = download_of(request)
        if sha256 is not None:
            counts[(sha256, request.day)] += 1
    return counts


def _lines(body: bytes, key: str) -> list[str]:
    data = gzip.decompress(body) if key.endswith(".gz") else body
    return data.decode("utf-8", errors="replace").splitlines()


def downloads_record(*, log_key: str, counts: Counter[tuple[str, date]]) -> int:
    """Add one log file's counts; chunks already counted (a redelivery) are skipped. Returns downloads added."""
    added = 0
    items = sorted(counts.items())
    for index in range(0, len(items), CHUNK):
        chunk = items[index : index + CHUNK]
        try:
            with transaction() as write:
                marker = BeaconCounter(f"cdnlog#{log_key}", f"chunk#{index // CHUNK}")
                write.save(marker, condition=BeaconCounter.counter.does_not_exist())
                for (sha256, day), count in chunk:
                    item = BeaconCounter(f"cdn#{sha256}", f"d#{day.isoformat()}")
                    write.update(item, actions=[BeaconCounter.downloaded.add(count)])
        except TransactWriteError as error:
            reasons = [getattr(r, "code", None) for r in (error.cancellation_reasons or [])]
            if "ConditionalCheckFailed" in reasons:
                continue  # this chunk was counted by an earlier delivery
            raise
        added += sum(count for _, count in chunk)
    return added


def log_file_process(*, key: str) -> int:
    """Read one log file from the bucket and count its downloads (idempotent)."""
    try:
        body = aws.client("s3").get_object(Bucket=storage.bucket(), Key=key)["Body"].read(MAX_LOG_BYTES)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return 0
        raise
    return downloads_record(log_key=key, counts=downloads_by_day(_lines(body, key)))


def artifact_downloads(*, sha256s: Iterable[str]) -> dict[str, dict[date, int]]:
    """sha256 -> day -> downloads counted from CDN logs (one Query per artifact)."""
    result: dict[str, dict[date, int]] = {}
    for sha256 in sha256s:
        days = {}
        for item in BeaconCounter.query(f"cdn#{sha256}", BeaconCounter.cell.startswith("d#"), consistent_read=True):
            days[date.fromisoformat(item.cell.removeprefix("d#"))] = int(item.downloaded or 0)
        result[sha256] = days
    return result
