"""Settings for `make bench`: the local stack on its own free ports and data folder, shared with child processes.

The first process to import this picks the ports and folder and puts them in the
environment, so the origin server and the cold-start function it starts use the same stack.
"""

from __future__ import annotations

import os
import tempfile

from devstack.stack import free_port

if "BENCH_DATA_DIR" not in os.environ:
    os.environ["BENCH_DATA_DIR"] = tempfile.mkdtemp(prefix="mysite-bench-")
    # moto's port too: two benches (or a bench and the test of its sections) must not share one moto.
    for _name in ("DYNAMODB", "COGNITO", "S3", "IDENTITY"):
        os.environ[f"BENCH_{_name}_PORT"] = str(free_port())

_PORTS = {
    name: os.environ.get(f"BENCH_{name}_PORT") or str(free_port()) for name in ("DYNAMODB", "COGNITO", "S3", "IDENTITY")
}
os.environ.update({f"BENCH_{name}_PORT": port for name, port in _PORTS.items()})
os.environ.update(
    {
        "DEVDATA_DIR": os.environ["BENCH_DATA_DIR"],
        **{f"DEVSTACK_{name}_PORT": port for name, port in _PORTS.items()},
        "DYNAMODB_ENDPOINT_URL": f"http://127.0.0.1:{_PORTS['DYNAMODB']}",
        "COGNITO_ENDPOINT_URL": f"http://127.0.0.1:{_PORTS['COGNITO']}",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{_PORTS['S3']}",
        **dict.fromkeys(
            ("COGNITO_IDENTITY_ENDPOINT_URL", "STS_ENDPOINT_URL", "IAM_ENDPOINT_URL"),
            f"http://127.0.0.1:{_PORTS['IDENTITY']}",
        ),
        # The tests run origin processes on their own stack, with its table prefix and bucket.
        "DYNAMODB_TABLE_PREFIX": os.environ.get("BENCH_TABLE_PREFIX", "bench-"),
        "AWS_STORAGE_BUCKET_NAME": os.environ.get("BENCH_BUCKET", "mysite-bench"),
        "DJANGO_DEBUG": "false",
    }
)

from mysite.settings.local import *  # noqa: E402, F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
UPLOAD_ALLOWED_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*"]
# Quiet: 4xx warnings from the load and fuzz mixes are expected and would drown the table.
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}

# Every simulated user signs in from this one address, many times: account and client limits far above the run.
ACCOUNT_THROTTLES = {
    action: {"account": (100_000, 900), "client": (1_000_000, 900)}
    for action in ("sign_in", "sign_up", "confirm", "resend", "password_forgot", "password_reset")
}
