"""The load run: locust, headless, 50 users against the origin on loopback; then each acknowledged write is checked."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.seed import PASSWORD, Seed
from benchmarks.servers import Origin

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
TODO_USERS = 20


def _token(email: str) -> str:
    from accounts.services import account_sign_in

    return account_sign_in(email=email, password=PASSWORD)["AccessToken"]


def _todo_users() -> list[dict]:
    from accounts.services import user_create
    from todos import services

    users = []
    for i in range(TODO_USERS):
        email = f"load-{i}-{os.urandom(4).hex()}@example.com"
        sub = user_create(email=email, password=PASSWORD, display_name=f"Load {i}", groups=[]).sub
        todo_list = services.list_create(owner=sub, name="Load")
        users.append({"sub": sub, "list_id": todo_list.list_id, "token": _token(email)})
    return users


def _verify(acknowledged: dict, product: str, todo_users: list[dict]) -> dict:
    """Each acknowledged write exactly once in DynamoDB (consistent reads; a Scan is fine off the request path)."""
    from blog.models import Post
    from todos.models import Task
    from updates.models import Release

    titles: Counter = Counter()
    for user in todo_users:
        titles.update(t.title for t in Task.query(user["sub"], consistent_read=True) if t.title.startswith("load "))
    post_titles = Counter(p.title for p in Post.scan(Post.title.startswith("Load draft "), consistent_read=True))
    versions = Counter(r.version_name for r in Release.query(product, consistent_read=True))
    expected = {
        "tasks": (Counter(t["title"] for t in acknowledged["tasks"]), titles),
        "posts": (Counter(p["title"] for p in acknowledged["posts"]), post_titles),
        "releases": (Counter(r["version"] for r in acknowledged["releases"]), versions),
    }
    report = {}
    for kind, (acked, found) in expected.items():
        report[kind] = {
            "acknowledged": sum(acked.values()),
            "found": sum(found[k] for k in acked),
            "lost": sum(1 for k in acked if found[k] == 0),
            "duplicated": sum(1 for k in acked if found[k] > 1),
        }
    return report


def measure(seed: Seed, *, users: int, seconds: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    todo_users = _todo_users()
    config = {
        "todo_users": todo_users,
        "slugs": seed.post_slugs,
        "product": seed.product,
        "author_token": _token(seed.author_email),
        "release_token": _token(seed.release_manager_email),
    }
    (folder / "config.json").write_text(json.dumps(config))
    origin = Origin()
    try:
        env = {
            **os.environ,
            "BENCH_LOAD_CONFIG": str(folder / "config.json"),
            "BENCH_LOAD_OUT": str(folder / "out.json"),
        }
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                origin.url,
                "-u",
                str(users),
                "-r",
                str(max(1, users // 5)),
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(folder / "stats"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            check=False,
            timeout=seconds + 120,
            stdout=subprocess.DEVNULL,
        )
    finally:
        origin.stop()
    out = json.loads((folder / "out.json").read_text())
    with open(folder / "stats_stats.csv") as stats:
        aggregated = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    writes = _verify(out["acknowledged"], seed.product, todo_users)
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "users": users,
        "seconds": seconds,
        "requests": int(aggregated["Request Count"]),
        "failures": int(aggregated["Failure Count"]),
        "rps": round(float(aggregated["Requests/s"]), 1),
        "p50_ms": round(float(aggregated["50%"])),
        "p99_ms": round(float(aggregated["99%"])),
        "server_errors": len(out["server_errors"]),
        "server_error_samples": out["server_errors"][:10],
        "writes": writes,
        "writes_acknowledged": sum(w["acknowledged"] for w in writes.values()),
        "writes_found": sum(w["found"] for w in writes.values()),
        "writes_lost": sum(w["lost"] for w in writes.values()),
        "duplicates": sum(w["duplicated"] for w in writes.values()),
    }
