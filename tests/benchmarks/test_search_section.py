"""The search bench section runs to the end on a tiny blog and reports what the docs quote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_search_section_runs_on_a_tiny_blog(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "DJANGO_SETTINGS_MODULE"))}
    command = [sys.executable, "-m", "benchmarks", "--only", "search", "--search-posts", "30", "--posts", "2"]
    finished = subprocess.run(
        [*command, "--results", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-5000:]
    search = json.loads((tmp_path / "latest.json").read_text())["search"]
    assert search["posts"] == 30
    assert search["cold"]["queries"] == 30
    assert search["cold"]["with_results"] > 0
    assert 1 <= search["cold"]["max_calls"] <= 17  # bounded: stamp, counts, vocabulary, 13 postings, posts
    assert search["warm"]["median_calls"] == 1  # a repeated query: the cache stamp only
    assert 0 < search["publish"]["median_terms"] <= 400
    assert search["publish"]["publish_median_writes"] > search["publish"]["edit_median_writes"] > 0
    assert search["lunr"]["json_mb"] >= 0
    measures = [row["measure"] for row in json.loads((tmp_path / "latest.json").read_text())["table"]]
    assert "search p50 on 30 posts" in measures
