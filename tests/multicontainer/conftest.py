"""Several origin processes ("Lambda containers") against this test process's emulators.

`cluster` starts `ORIGINS` processes of the real site (tests.multicontainer.origin), each with
its own memory and so its own read cache, passing on this process's emulator endpoints, table
prefix, Cognito pool and secret key. It comes in two kinds: `bumps` (the code as shipped) and
`no-bumps` (writes leave the read-cache stamps alone), so each test shows that it would catch
a missing bump.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.conf import settings

from devstack.stack import free_port
from tests.multicontainer.origin import without_stamp_bumps

ORIGINS = 3
START_SECONDS = 180
# One host name for every origin, as the CDN forwards it: absolute URLs in pages (canonical
# links, feeds) then match across origins, and so do their ETags.
SITE_HOST = "localhost"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Origin:
    """One origin process and an HTTP session to it."""

    url: str
    process: subprocess.Popen
    log: Path
    session: requests.Session = field(default_factory=requests.Session)

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Host": SITE_HOST, **kwargs.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)


@dataclass
class Cluster:
    origins: list[Origin]
    bumps: bool

    @property
    def writer(self) -> Origin:
        return self.origins[0]

    @property
    def others(self) -> list[Origin]:
        return self.origins[1:]


def _environment(*, bumps: bool) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mysite.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DEVDATA_DIR": str(settings.DEVDATA_DIR),
        "DYNAMODB_ENDPOINT_URL": settings.DYNAMODB_ENDPOINT_URL,
        "COGNITO_ENDPOINT_URL": settings.COGNITO_ENDPOINT_URL,
        "S3_ENDPOINT_URL": settings.S3_ENDPOINT_URL,
        "DYNAMODB_TABLE_PREFIX": settings.DYNAMODB_TABLE_PREFIX,
        "AWS_STORAGE_BUCKET_NAME": settings.AWS_STORAGE_BUCKET_NAME,
        "COGNITO_USER_POOL_ID": settings.COGNITO_USER_POOL_ID,
        "COGNITO_CLIENT_ID": settings.COGNITO_CLIENT_ID,
        "READ_CACHE_SETTLE_SECONDS": "0",  # DynamoDB Local's indexes are consistent at once
        "ORIGIN_STAMP_BUMPS": "on" if bumps else "off",
        "PYTHONUNBUFFERED": "1",
    }


def _wait_until_serving(origin: Origin, deadline: float) -> None:
    for _ in range(int(START_SECONDS / 0.1)):
        if origin.process.poll() is not None:
            raise RuntimeError(f"origin {origin.url} exited:\n{origin.log.read_text()[-3000:]}")
        try:
            # The first request imports the whole site: slow on a busy machine, hence the long read timeout.
            if requests.get(f"{origin.url}/health", headers={"Host": SITE_HOST}, timeout=30).status_code == 200:
                return
        except requests.RequestException:
            pass  # not listening yet, or still importing
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    raise RuntimeError(f"origin {origin.url} did not start:\n{origin.log.read_text()[-3000:]}")


def _stop(origin: Origin) -> None:
    origin.session.close()
    origin.process.terminate()
    try:
        origin.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        origin.process.kill()
        origin.process.wait(timeout=10)


@pytest.fixture(scope="session", params=["bumps", "no-bumps"])
def cluster(request, local_stack, tmp_path_factory) -> Cluster:
    """`ORIGINS` independent origin processes; with `no-bumps`, writes through them keep stale stamps."""
    bumps = request.param == "bumps"
    environment = _environment(bumps=bumps)
    logs = tmp_path_factory.mktemp(f"origins-{request.param}")
    origins: list[Origin] = []
    try:
        for number in range(ORIGINS):
            port = free_port()
            log = logs / f"origin-{number}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [sys.executable, "-m", "tests.multicontainer.origin", str(port)],
                    cwd=REPO,
                    env=environment,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            origins.append(Origin(f"http://127.0.0.1:{port}", process, log))
        deadline = time.monotonic() + START_SECONDS
        for origin in origins:
            _wait_until_serving(origin, deadline)
        yield Cluster(origins, bumps)
    finally:
        for origin in origins:
            _stop(origin)


@pytest.fixture
def unbumped(cluster, monkeypatch) -> Callable[[], None]:
    """Call to make this test process's own writes (event handlers) skip the bump too, in `no-bumps`."""

    def apply() -> None:
        if not cluster.bumps:
            without_stamp_bumps(monkeypatch.setattr)

    return apply


def read_everywhere(cluster: Cluster, read: Callable[[Origin], object]) -> list:
    """`read` on every origin, in order (which also warms each one's cache)."""
    return [read(origin) for origin in cluster.origins]


def assert_write_seen_everywhere(
    cluster: Cluster, *, read: Callable[[Origin], object], write: Callable[[], None], before, after
) -> None:
    """Warm `read` on every origin, `write`, then the next `read` on every other origin shows it.

    `after` may be a callable, asked after the write (for values only the write decides).
    Without bumps, every other origin still answers from its cache: the check would fail.
    """
    assert read_everywhere(cluster, read) == [before] * ORIGINS
    write()
    if callable(after):
        after = after()
    seen = [read(origin) for origin in cluster.others]
    if cluster.bumps:
        assert seen == [after] * (ORIGINS - 1)
    else:
        assert seen == [before] * (ORIGINS - 1)
