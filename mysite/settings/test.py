"""The test suite: its own throw-away emulators on free ports, started by tests/conftest.py."""

from __future__ import annotations

import os
import tempfile

from mysite.localports import reserve_port

SCRATCH_FREE_BYTES = 4 * 2**30  # a worker's stack holds about 100 MB; chromium shares /dev/shm too


def _scratch_dir() -> str | None:
    """Linux's RAM-backed /dev/shm where it is there with room to spare, else the usual temporary folder.

    The emulators keep their data in files there as on disk (it outlives a restart of them, which the
    restart tests need), without the disk's fsync on every write: a DynamoDB Local PutItem took 13 ms
    there against 24 ms under /tmp on the CI machine, with the suite running beside it. A container's
    small /dev/shm (Docker gives 64 MiB) is passed over.
    """
    try:
        stats = os.statvfs("/dev/shm")
    except OSError:
        return None
    roomy = stats.f_bavail * stats.f_frsize >= SCRATCH_FREE_BYTES
    return "/dev/shm" if roomy and os.access("/dev/shm", os.W_OK) else None


# Every test process (each xdist worker too) imports this once and gets its own
# ports and data folder (removed by tests/conftest.py after a passing run); explicit
# assignments, so a parent's values never leak in.
_DATA_DIR = tempfile.mkdtemp(prefix="mysite-test-", dir=_scratch_dir())
_PORTS = {name: reserve_port() for name in ("DYNAMODB", "COGNITO", "S3", "IDENTITY")}
os.environ.update(
    {
        "DEVDATA_DIR": _DATA_DIR,
        **{f"DEVSTACK_{name}_PORT": str(port) for name, port in _PORTS.items()},
        "DYNAMODB_ENDPOINT_URL": f"http://127.0.0.1:{_PORTS['DYNAMODB']}",
        "COGNITO_ENDPOINT_URL": f"http://127.0.0.1:{_PORTS['COGNITO']}",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{_PORTS['S3']}",
        "COGNITO_IDENTITY_ENDPOINT_URL": f"http://127.0.0.1:{_PORTS['IDENTITY']}",
        "STS_ENDPOINT_URL": f"http://127.0.0.1:{_PORTS['IDENTITY']}",
        "IAM_ENDPOINT_URL": f"http://127.0.0.1:{_PORTS['IDENTITY']}",
        "DYNAMODB_TABLE_PREFIX": "test-",
        "AWS_STORAGE_BUCKET_NAME": "mysite-test",
        "COGNITO_USER_POOL_ID": "",
        "COGNITO_CLIENT_ID": "",
        "COGNITO_IDENTITY_POOL_ID": "",
        "COGNITO_IDENTITY_ROLE_ARN": "",
        # DynamoDB Local's indexes are consistent at once: no settling time for the read cache.
        "READ_CACHE_SETTLE_SECONDS": "0",
    }
)

from .local import *

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# The browser tests serve the site on a free port, so any port of the loopback origins may upload.
UPLOAD_ALLOWED_ORIGINS = ["http://127.0.0.1", "http://localhost", "http://127.0.0.1:*", "http://localhost:*"]
# The whole suite signs in from 127.0.0.1, and some tests sign one user in many times: the limits
# are far above what it does; the throttling tests set their own.
ACCOUNT_THROTTLES = {
    action: {"account": (10_000, 900), "client": (100_000, 900)}
    for action in ("sign_in", "sign_up", "confirm", "resend", "password_forgot", "password_reset")
}
