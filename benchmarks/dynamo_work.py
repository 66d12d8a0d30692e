"""Sections 1 and 2: DynamoDB calls and capacity per hot path, and the app's latency against a bare WSGI baseline.

The baseline is a plain WSGI function that makes the very AWS calls the app made
for that request (recorded through botocore), with a plain boto3 client, and returns
a body of the same size: what is left between the two is Django, DRF, templates,
auth and serialisation.
"""

from __future__ import annotations

import statistics
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application

from benchmarks.botocalls import Recording, record
from benchmarks.paths import Credentials, HotPath, headers_for, hot_paths, sign_in
from benchmarks.seed import Seed
from benchmarks.wsgi import call


def plain_clients() -> dict:
    """boto3 clients built here, not through mysite.aws: the baseline shares no app code."""
    endpoints = {
        "dynamodb": settings.DYNAMODB_ENDPOINT_URL,
        "cognito-idp": settings.COGNITO_ENDPOINT_URL,
        "s3": settings.S3_ENDPOINT_URL,
    }
    session = boto3.session.Session(
        aws_access_key_id=settings.AWS_LOCAL_ACCESS_KEY_ID,
        aws_secret_access_key=settings.AWS_LOCAL_SECRET_ACCESS_KEY,
        region_name=settings.AWS_REGION,
    )
    config = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"})
    return {name: session.client(name, endpoint_url=url, config=config) for name, url in endpoints.items()}


def bare_app(recording: Recording, body_size: int, clients: dict):
    """A WSGI function making the recorded calls with plain boto3 and answering with as many bytes."""
    calls = [(clients[c.service], c.operation, c.params) for c in recording.calls if c.service in clients]
    body = b"x" * body_size

    def app(environ, start_response):
        for client, operation, params in calls:
            method = getattr(client, _snake(operation))
            try:
                result = method(**params)
            except ClientError:
                result = None  # a replayed conditional write fails the condition: same round trip
            if result and "Body" in result:
                result["Body"].read()
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def request(app, path: HotPath, creds: Credentials):
    body = path.fresh_body() if path.fresh_body else path.body
    return call(app, path.method, path.url, headers=headers_for(path, creds), body=body)


def measure(seed: Seed, *, iterations: int) -> list[dict]:
    app = get_wsgi_application()
    creds = sign_in(app, seed.todo_email)
    clients = plain_clients()
    rows = []
    # The read cache keeps nothing computed within SETTLE_SECONDS of its scope's last write (an index read may
    # lag the write that long), and the seed, the sign-in and the write paths have just written: each path
    # waits that long first, so that warm is the steady state a reader meets, not the moment after a write.
    settle = settings.READ_CACHE["SETTLE_SECONDS"]
    for path in hot_paths(seed, creds):
        cache.clear()
        request(app, path, creds)  # load code paths, JWKS, templates once: steady state, not first-import cost
        time.sleep(settle)
        cache.clear()
        with record() as cold:
            answer = request(app, path, creds)
        assert answer.status < 400, (path.name, answer.status, answer.body[:300])
        with record() as warm:
            request(app, path, creds)
        bare = bare_app(cold, len(answer.body), clients)
        app_times, bare_times, warm_times = [], [], []
        for _ in range(iterations):
            cache.clear()
            started = time.perf_counter()
            request(app, path, creds)
            app_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            request(app, path, creds)
            warm_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            call(bare, path.method, path.url)
            bare_times.append(time.perf_counter() - started)
        app_median, bare_median = statistics.median(app_times), statistics.median(bare_times)
        rows.append(
            {
                "path": path.name,
                "url": path.url,
                "status": answer.status,
                "dynamodb_calls_cold": cold.dynamodb_calls,
                "capacity_units_cold": cold.capacity_units,
                "dynamodb_calls_warm": warm.dynamodb_calls,
                "capacity_units_warm": warm.capacity_units,
                "minimum_cold": path.minimum_cold,
                "minimum_warm": path.minimum_warm,
                "access_pattern": path.why,
                "calls_cold": cold.summary(),
                "calls_warm": warm.summary(),
                "app_median_ms": round(app_median * 1000, 2),
                "app_p99_ms": round(percentile(app_times, 99) * 1000, 2),
                "app_warm_median_ms": round(statistics.median(warm_times) * 1000, 2),
                "bare_median_ms": round(bare_median * 1000, 2),
                "bare_p99_ms": round(percentile(bare_times, 99) * 1000, 2),
                "ratio_median": round(app_median / bare_median, 2),
                "ratio_p99": round(percentile(app_times, 99) / percentile(bare_times, 99), 2),
                "goal_ratio": path.goal_ratio,
                "iterations": iterations,
            }
        )
    return rows
