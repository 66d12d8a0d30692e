"""`make bench` runs to the end: every section on tiny inputs, in one run of the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ["dynamo", "coldstart", "cdn", "load", "package", "history"]


def test_every_section_runs_to_the_end_on_tiny_inputs(tmp_path):
    # The bench picks its own private stack: nothing of this test process's stack may leak into it.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "DJANGO_SETTINGS_MODULE"))}
    command = [sys.executable, "-m", "benchmarks", "--only", *SECTIONS, "--results", str(tmp_path)]
    command += ["--iterations", "2", "--cold-runs", "1", "--load-seconds", "4", "--load-users", "2"]
    command += ["--origins", "2", "--clients", "12", "--page-views", "30", "--posts", "4"]
    command += ["--history-sizes", "5", "20", "--history-iterations", "1"]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-5000:]

    results = json.loads((tmp_path / "latest.json").read_text())
    assert results["sections"] == SECTIONS
    assert (tmp_path / "latest.png").stat().st_size > 1000
    assert {row["path"] for row in results["hot_paths"]}
    assert all(row["dynamodb_calls_cold"] >= 1 for row in results["hot_paths"])
    cold = results["cold_start"]
    assert cold["first_response_s"] > cold["import_s"] > 0
    assert cold["warm_request_s"] > 0
    assert results["package"]["zipped_mb"] > 1
    cdn = results["cdn"]
    assert cdn["origins"] == 2
    assert len(cdn["origin_requests"]) == 2  # both origin processes answered
    # Ten checks per client; an electron app that is offered an update asks Squirrel's feed after the cacheable check.
    assert cdn["update_checks"]["total"] >= 12 * 10
    assert cdn["page_views"]["total"] == 30
    assert cdn["checked_across_containers"] == 5 * 3  # five reads, on two origins and through the twin
    assert results["load"]["requests"] > 0
    # 12 clients drawn by the mix's weights: the legacy and TUF shares (2-10% each) may draw none.
    protocols = {f"check-{p}" for p in ("json", "json-legacy", "electron", "electron-legacy", "sparkle", "tuf")}
    assert "check-json" in cdn["update_checks_by_protocol"]
    assert set(cdn["update_checks_by_protocol"]) <= protocols
    # The cacheable JSON form holds no bucket: one URL per (platform, installed version) at most.
    assert cdn["distinct_update_check_urls_by_protocol"]["check-json"] <= 3 * 2
    history = results["history"]
    assert history["sizes"] == [5, 20]
    rows = {row["path"]: row for row in history["paths"]}
    assert {"todo list page", "labels API", "task toggle", "blog home", "TUF targets", "readers list (authors)"} <= set(
        rows
    )
    for row in rows.values():
        for size in ("5", "20"):
            assert row["sizes"][size]["after_write"]["dynamodb_calls"] >= 1, row["path"]
    # The labels API reads the seeded tasks: its read capacity is there to grow (or not) with them.
    assert rows["labels API"]["sizes"]["20"]["cold"]["rcu"] > 0
    measures = [row["measure"] for row in results["table"]]
    assert "history 5 -> 20: todo list page" in measures
    assert "stale reads after write across containers" in measures
    assert "cold start to first response" in measures
