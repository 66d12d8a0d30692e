"""Figures a release manager can trust: a replayed mix of beacons and CDN log lines reconciles exactly."""

from __future__ import annotations

import gzip
import os
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from mysite import aws, storage
from tests.updates.test_events import s3_event
from updates.beacons import beacon_record
from updates.cdn_logs import downloads_by_day, parse_log
from updates.events import cdn_log_handler
from updates.selectors import artifact_get, release_get
from updates.stats import product_figures
from updates.stats_svg import bar_chart, line_chart

HEADER = (
    "#Version: 1.0\n"
    "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
    "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version "
    "fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type "
    "sc-content-len sc-range-start sc-range-end\n"
)


def log_line(day: date, path: str, *, status: int = 200, method: str = "GET", start: str = "-", end: str = "-") -> str:
    """One request exactly as CloudFront's standard log writes it: 33 tab-separated fields."""
    fields = [
        day.isoformat(), "21:02:31", "LAX1", "392", "192.0.2.100", method, "d111111abcdef8.cloudfront.net", path,
        str(status), "-", "Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2014_2)%20Sparkle/2.6", "-", "-",
        "Hit", "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==", "d111111abcdef8.cloudfront.net", "https",
        "23", "0.001", "-", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "Hit", "HTTP/2.0", "-", "-", "11040", "0.001",
        "Hit", "application/zip", "78", start, end,
    ]  # fmt: skip
    assert len(fields) == 33
    return "\t".join(fields)


SHA = "a" * 64


def test_the_parser_reads_cloudfront_s_standard_format_and_counts_only_downloads():
    day = date(2026, 11, 30)
    lines = HEADER + "\n".join(
        [
            log_line(day, f"/artifacts/{SHA}/App-1.0.0.zip"),  # a download
            log_line(day, f"/artifacts/{SHA}/App-1.0.0.zip", status=206, start="0", end="1048575"),  # first range
            log_line(day, f"/artifacts/{SHA}/App-1.0.0.zip", status=206, start="1048576", end="2097151"),  # resumed
            log_line(day, f"/artifacts/{SHA}/App-1.0.0.zip", method="HEAD"),
            log_line(day, f"/artifacts/{SHA}/App-1.0.0.zip", status=304),
            log_line(day, f"/artifacts/{'b' * 64}/App-1.0.0.zip", status=404),
            log_line(day, "/updates/app/appcast.xml"),
            log_line(day + timedelta(days=1), f"/updates/artifacts/{SHA}/App%201.0.0.zip"),  # encoded, next day
        ]
    )
    requests_seen = list(parse_log(lines.splitlines()))
    assert len(requests_seen) == 8
    assert requests_seen[-1].path == f"/updates/artifacts/{SHA}/App 1.0.0.zip"
    assert (requests_seen[1].status, requests_seen[1].range_start) == (206, "0")
    assert downloads_by_day(lines.splitlines()) == Counter({(SHA, day): 2, (SHA, day + timedelta(days=1)): 1})


def test_the_parser_follows_the_file_s_fields_line_when_columns_differ():
    text = "#Version: 1.0\n#Fields: cs-uri-stem date sc-status cs-method\n"
    text += f"/artifacts/{SHA}/a.zip\t2026-12-01\t200\tGET\ngarbage line\n"
    assert downloads_by_day(text.splitlines()) == Counter({(SHA, date(2026, 12, 1)): 1})


# The replayed mix: (version, platform, day offset, outcome) -> beacons, and CDN downloads per artifact and day.
BEACONS = {
    ("1.0.0", "linux-x64", 0, "downloaded"): 12,
    ("1.0.0", "linux-x64", 0, "installed"): 10,
    ("1.0.0", "linux-x64", 1, "installed"): 5,
    ("1.0.0", "linux-x64", 1, "failed"): 1,
    ("1.0.0", "darwin-arm64", 0, "installed"): 7,
    ("1.0.0", "darwin-arm64", 2, "rolled-back"): 2,
    ("1.1.0", "linux-x64", 1, "installed"): 4,
    ("1.1.0", "linux-x64", 2, "installed"): 6,
    ("1.1.0", "linux-x64", 2, "failed"): 3,
    ("1.1.0", "darwin-arm64", 2, "downloaded"): 3,
    ("1.1.0", "darwin-arm64", 2, "installed"): 3,
}
CDN = {("1.0.0", "linux-x64", 0): 13, ("1.0.0", "darwin-arm64", 1): 8, ("1.1.0", "linux-x64", 2): 11}


def test_a_replayed_mix_of_beacons_and_cdn_logs_reconciles_exactly(catalog, browser_client, release_manager):
    product = catalog.product()
    for version in ("1.0.0", "1.1.0"):
        catalog.release(product, version, platforms=("linux-x64", "darwin-arm64"))
    catalog.release(product, "1.2.0", platforms=("linux-x64",))  # offered, nobody reported yet
    first = datetime(2026, 11, 28, 12, tzinfo=UTC)
    for (version, platform, offset, outcome), count in BEACONS.items():
        for _ in range(count):
            beacon_record(product=product.slug, version=version, platform=platform, outcome=outcome,
                          now=first + timedelta(days=offset))  # fmt: skip
    sha = {
        (v, p): artifact_get(release=release_get(product=product.slug, version=v), platform=p).sha256
        for v in ("1.0.0", "1.1.0")
        for p in ("linux-x64", "darwin-arm64")
    }
    lines = []
    for (version, platform, offset), count in CDN.items():
        path = f"/artifacts/{sha[(version, platform)]}/App-{version}-{platform}.zip"
        day = (first + timedelta(days=offset)).date()
        lines += [log_line(day, path)] * (count - 1) + [log_line(day, path, status=206, start="0", end="99")]
        lines += [log_line(day, path, status=206, start="100", end="199"), log_line(day, path, method="HEAD")]
    key = f"cdn-logs/E2TWIN.2026-11-30-12.{uuid.uuid4().hex[:8]}.gz"
    body = gzip.compress((HEADER + "\n".join(lines) + "\n").encode())
    aws.client("s3").put_object(Bucket=storage.bucket(), Key=key, Body=body)
    assert cdn_log_handler(s3_event(key, len(body)), None) == {key: sum(CDN.values())}
    assert cdn_log_handler(s3_event(key, len(body)), None) == {key: 0}  # redelivered: nothing counted twice

    figures = product_figures(product=product.slug)
    assert [r.version for r in figures.releases] == ["1.2.0", "1.1.0", "1.0.0"]
    by_version = {r.version: r for r in figures.releases}
    for version, release in by_version.items():
        for platform in ("linux-x64", "darwin-arm64"):
            for outcome in ("downloaded", "installed", "failed", "rolled-back"):
                expected = sum(n for (v, p, _, o), n in BEACONS.items() if (v, p, o) == (version, platform, outcome))
                assert release.outcomes.get(platform, {}).get(outcome, 0) == expected, (version, platform, outcome)
            cdn = sum(n for (v, p, _), n in CDN.items() if (v, p) == (version, platform))
            assert release.cdn_downloads.get(platform, 0) == cdn
    # 1.0.0: 3 failures (1 failed, 2 rolled back) of 25 reports; 1.1.0: 3 of 16; 1.2.0: no reports, no rate.
    assert by_version["1.0.0"].failure_rate == 3 / 25
    assert by_version["1.1.0"].failure_rate == 3 / 16
    assert by_version["1.2.0"].failure_rate is None
    assert [r.cdn_downloads_total for r in figures.releases] == [0, 11, 21]
    assert figures.days == [date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)]
    assert figures.adoption() == {"1.0.0": [17, 22, 22], "1.1.0": [0, 4, 13], "1.2.0": [0, 0, 0]}
    assert figures.adoption(platform="darwin-arm64") == {"1.0.0": [7, 7, 7], "1.1.0": [0, 0, 3], "1.2.0": [0, 0, 0]}
    assert figures.platforms() == ["darwin-arm64", "linux-x64"]

    page = browser_client(release_manager).get(f"/admin/updates/{product.slug}/figures/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") == 5  # adoption, one per platform, downloads, failure rates
    assert "1.0.0 (22)" in html
    assert "1.1.0 (13)" in html
    assert "12.0%" in html
    assert "18.8%" in html
    total_row = html.split('data-version="1.0.0" data-platform="all"')[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in total_row.split("<td>")[1:]] == [
        "1.0.0", "published", "100%", "all", "12", "21", "22", "1", "2", "12.0%",
    ]  # fmt: skip


def test_the_figures_page_is_for_release_managers_only(catalog, browser_client, user):
    product = catalog.product()
    assert browser_client(user).get(f"/admin/updates/{product.slug}/figures/").status_code == 404


def test_charts_escape_their_labels_and_scale_to_round_numbers():
    chart = line_chart(title="<b>x</b>", labels=["1 Dec", "2 Dec"], series={"<script>": [3, 7]})
    assert "<script>" not in chart
    assert "&lt;script&gt;" in chart
    assert ">10<" in chart  # the axis tops out at the next round number above 7
    bars = bar_chart(title="rates", bars=[("1.0.0", 0.12), ("1.1.0", 0.03)], unit="%")
    assert "12.0%" in bars
    assert "3.0%" in bars
    assert ">20%<" in bars


@pytest.fixture
def twin(live_url):
    from benchmarks.servers import Nginx

    nginx = Nginx([int(live_url.rsplit(":", 1)[1])], bucket_port=int(os.environ["DEVSTACK_S3_PORT"]))
    yield nginx
    nginx.stop()


def test_downloads_through_the_twin_cdn_are_counted_from_its_cloudfront_format_log(catalog, twin, dispatcher):
    product = catalog.product()
    content = os.urandom(4096)
    catalog.release(product, "1.0.0", platforms=("linux-x64",), content=content)
    artifact = artifact_get(release=release_get(product=product.slug, version="1.0.0"), platform="linux-x64")
    url = f"{twin.url}/{artifact.key}"
    assert requests.get(url, timeout=10).content == content
    assert requests.get(url, headers={"Range": "bytes=0-99"}, timeout=10).status_code == 206  # counted
    assert requests.get(url, headers={"Range": "bytes=100-"}, timeout=10).status_code == 206  # a resume: not
    assert requests.head(url, timeout=10).status_code == 200  # not a download
    key = twin.ship_cloudfront_log()
    dispatcher.run_once(include_schedules=False)  # the upload notification runs the log handler
    release = product_figures(product=product.slug).releases[0]
    assert release.cdn_downloads == {"linux-x64": 2}
    assert key.startswith("cdn-logs/")
    assert key.endswith(".gz")
