"""Sections 3 and 5: cold start from the built Lambda package, with the import-time breakdown, and its size.

The package is `make package`'s build (mysite.deploy.build_package) of the production
stage pointed at the bench stack. A python3.13 with no site-packages (-I -S), like
Lambda's, runs Zappa's real handler on one API Gateway event for the blog home page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections import defaultdict
from pathlib import Path

from django.conf import settings

from mysite.deploy import build_package, stages
from mysite.deploy.local_stage import local_function_environment, stage_for_local_stack

DRIVER = Path(__file__).with_name("coldstart_driver.py")
STAGE = "bench"
RUNS = 5
PRODUCTION_ZIP = settings.BASE_DIR / "dist" / "lambda-production.zip"


def build(folder: Path) -> Path:
    settings_file = folder / "zappa_settings.json"
    settings_file.write_text(stages.dumps({STAGE: stage_for_local_stack()}))
    return build_package.build(STAGE, folder / "package.zip", settings_file)


def api_event(path: str) -> dict:
    headers = {"Host": "abc123defg.execute-api.us-east-1.amazonaws.com", "X-Forwarded-Proto": "https"}
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": "GET",
            "path": f"/production{path}",
            "stage": "production",
            "identity": {"sourceIp": "203.0.113.9", "userAgent": "bench"},
            "requestId": uuid.uuid4().hex,
        },
        "body": None,
        "isBase64Encoded": False,
    }


def import_breakdown(stderr: str, top: int = 12) -> list[dict]:
    """`-X importtime` cumulative microseconds of each top-level import, summed per distribution."""
    totals: dict[str, int] = defaultdict(int)
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if match and not match.group(3):  # a top-level import: its cumulative time covers its children
            totals[match.group(4).split(".")[0]] += int(match.group(2))
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    return [{"package": name, "ms": round(us / 1000, 1)} for name, us in ranked[:top]]


def run_once(package: Path, event: dict, *, importtime: bool) -> tuple[float, dict, str]:
    """A fresh copy of the package, as Lambda unpacks it; -B because /var/task is read-only there (no .pyc written)."""
    root = Path(tempfile.mkdtemp(prefix="bench-var-task-"))
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root)
    command = [os.environ.get("LAMBDA_TEST_PYTHON", os.path.realpath(sys.executable)), "-I", "-S", "-B"]
    if importtime:
        command += ["-X", "importtime"]
    errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - a file, not a pipe: -X importtime writes a lot
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, str(DRIVER), str(root), json.dumps(event)],
        env=local_function_environment(),
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    # A hung function is killed after 120 s, which ends both reads below.
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    first = ""
    for line in iter(process.stdout.readline, ""):  # the function may print to stdout too, even mid-line
        if "BENCH " in line:
            first = line[line.index("BENCH ") :]
            break
    wall = time.perf_counter() - started
    # The rest through the same buffered reader: communicate() would read the pipe beneath it and lose
    # whatever readline() had already buffered (the warm request's line, when it came in the same chunk).
    rest = process.stdout.read()
    process.wait()
    watchdog.cancel()
    errors.seek(0)
    stderr = errors.read()
    errors.close()
    shutil.rmtree(root, ignore_errors=True)
    reports = [first, *(line[line.index("BENCH ") :] for line in rest.splitlines() if "BENCH " in line)]
    timing: dict = {}
    for report in reports:
        if report:
            timing.update(json.loads(report.removeprefix("BENCH ")))
    missing = {"status", "import_s", "first_request_s", "warm_request_s"} - set(timing)
    if missing:
        raise RuntimeError(
            f"the packaged function (exit {process.returncode}) reported no {sorted(missing)}:\n"
            f"stdout: {rest[-1500:]}\nstderr: {stderr[-3000:]}"
        )
    return wall, timing, stderr


def measure(seed, *, cold_runs: int = RUNS) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-lambda-"))
    built = time.perf_counter()
    package = build(folder)
    build_s = time.perf_counter() - built
    event = api_event(f"/api/updates/{seed.product}/stable/linux-x64/1.0.0")
    runs = [run_once(package, event, importtime=False) for _ in range(cold_runs)]
    _, _, importtime_stderr = run_once(package, event, importtime=True)
    walls = [wall for wall, _, _ in runs]
    timings = [timing for _, timing, _ in runs]
    assert all(t["status"] == 200 for t in timings), timings[0].get("body")
    median = statistics.median(walls)
    index = walls.index(median) if median in walls else 0
    return {
        "first_response_s": round(median, 3),
        "first_response_runs_s": [round(w, 3) for w in walls],
        "import_s": round(statistics.median(t["import_s"] for t in timings), 3),
        "first_request_s": round(statistics.median(t["first_request_s"] for t in timings), 3),
        "warm_request_s": round(statistics.median(t["warm_request_s"] for t in timings), 3),
        "interpreter_s": round(median - timings[index]["import_s"] - timings[index]["first_request_s"], 3),
        "import_breakdown": import_breakdown(importtime_stderr),
        "event": "GET /api/updates/<product>/stable/linux-x64/1.0.0 (API Gateway REST proxy event)",
        "package": str(package),
        "package_zipped_mb": round(package.stat().st_size / 2**20, 1),
        "build_s": round(build_s, 1),
    }


def package_size(bench_package: str | None = None) -> dict:
    """The zip this run built (`make package`'s code, same requirements), else `make package`'s own."""
    candidates = [*([Path(bench_package)] if bench_package else []), PRODUCTION_ZIP]
    for package in candidates:
        if not package.exists() or not zipfile.is_zipfile(package):
            continue
        with zipfile.ZipFile(package) as archive:
            infos = archive.infolist()
        biggest: dict[str, int] = defaultdict(int)
        for info in infos:
            biggest[info.filename.split("/")[0]] += info.compress_size
        return {
            "source": "dist/lambda-production.zip" if package == PRODUCTION_ZIP else "built by this run",
            "zipped_mb": round(package.stat().st_size / 2**20, 1),
            "unzipped_mb": round(sum(info.file_size for info in infos) / 2**20, 1),
            "largest_zipped_mb": {
                name: round(size / 2**20, 1) for name, size in sorted(biggest.items(), key=lambda i: -i[1])[:8]
            },
        }
    return {}
