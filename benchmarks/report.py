"""One table on stdout, results/latest.json and results/latest.png."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, {system}"


STAMP_READS = 1  # a cached path's stamp GetItem, on top of its access pattern's minimum


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(measure, value, goal, verdict) for every figure of the run."""
    out = []
    for row in results.get("hot_paths", []):
        # The access pattern's minimum, plus the one small GetItem of the read cache's stamp (mysite/cache.py).
        cold, warm = row["minimum_cold"] + STAMP_READS, row["minimum_warm"] + STAMP_READS
        ok = row["dynamodb_calls_cold"] <= cold and row["dynamodb_calls_warm"] <= warm
        out.append(
            (
                f"DynamoDB calls/CU: {row['path']}",
                f"{row['dynamodb_calls_cold']} / {row['capacity_units_cold']} CU cold, "
                f"{row['dynamodb_calls_warm']} / {row['capacity_units_warm']} CU warm",
                f"<= {cold} cold, {warm} warm (with the stamp)",
                "met" if ok else "GAP",
            )
        )
    for row in results.get("hot_paths", []):
        goal = row["goal_ratio"]
        verdict = "-" if goal is None else ("met" if row["ratio_median"] <= goal else "GAP")
        out.append(
            (
                f"app/bare latency: {row['path']}",
                f"{row['ratio_median']}x median ({row['app_median_ms']} vs {row['bare_median_ms']} ms), "
                f"{row['ratio_p99']}x p99 ({row['app_p99_ms']} vs {row['bare_p99_ms']} ms)",
                f"<= {goal}x" if goal else "(none)",
                verdict,
            )
        )
    cold = results.get("cold_start")
    if cold:
        out.append(
            (
                "cold start to first response",
                f"{cold['first_response_s']} s (imports {cold['import_s']} s, "
                f"first request {cold['first_request_s']} s)",
                "< 1 s",
                "met" if cold["first_response_s"] < 1 else "GAP",
            )
        )
    package = results.get("package")
    if package:
        out.append(
            (
                "Lambda package size",
                f"{package['zipped_mb']} MB zipped, {package['unzipped_mb']} MB unzipped ({package['source']})",
                "< 30 MB zipped (team budget; Lambda: 50)",
                "met" if package["zipped_mb"] < 30 else "GAP",
            )
        )
    cdn = results.get("cdn")
    if cdn:
        for name, goal in (("update_checks", 99), ("artifact_bytes", 99), ("page_views", 95)):
            figure = cdn[name]
            out.append(
                (
                    f"CDN offload: {name.replace('_', ' ')}",
                    f"{figure['offload_pct']}% of {figure['total']} served from cache "
                    f"(edge twin, {cdn.get('origins', 1)} origins)",
                    f">= {goal}%",
                    "met" if figure["offload_pct"] >= goal else "GAP",
                )
            )
        out.append(
            (
                "CDN: stale after publish + invalidation",
                f"{cdn['stale_after_invalidation']} stale of {cdn['checked_after_invalidation']} checked",
                "0",
                "met" if cdn["stale_after_invalidation"] == 0 else "GAP",
            )
        )
        if "across_containers" in cdn:
            stale = ", ".join(f"{k} {v}" for k, v in cdn["across_containers"]["stale"].items() if v) or "none"
            out.append(
                (
                    "stale reads after write across containers",
                    f"{cdn['stale_across_containers']} stale of {cdn['checked_across_containers']} reads "
                    f"({cdn['origins']} origins + the twin; stale: {stale})",
                    "0",
                    "met" if cdn["stale_across_containers"] == 0 else "GAP",
                )
            )
    history = results.get("history")
    if history:
        smallest, largest = str(history["sizes"][0]), str(history["sizes"][-1])
        for row in history["paths"]:
            low, high = row["sizes"][smallest]["after_write"], row["sizes"][largest]["after_write"]
            out.append(
                (
                    f"history {smallest} -> {largest}: {row['path']}",
                    f"{low['rcu']} -> {high['rcu']} RCU (x{row['ratio_rcu']}), {low['ms']} -> {high['ms']} ms "
                    f"(x{row['ratio_ms']}), {low['dynamodb_calls']} -> {high['dynamodb_calls']} calls, after a write",
                    f"<= {history['goal_ratio']}x",
                    "met" if history_flat(row, history["goal_ratio"]) else "GAP",
                )
            )
    search = results.get("search")
    if search:
        publish = search["publish"]
        for size, entry in (search.get("by_size") or {str(search["posts"]): search}).items():
            cold, warm = entry["cold"], entry["warm"]
            out.append(
                (
                    f"search p50 on {size} posts",
                    f"{cold['p50_ms']} ms computed (p95 {cold['p95_ms']} ms, {cold['median_calls']} calls, "
                    f"max {cold['max_calls']}, {cold['median_rcu']} RCU), {warm['p50_ms']} ms cached",
                    f"<= {search['goal_p50_ms']} ms",
                    "met" if cold["p50_ms"] <= search["goal_p50_ms"] else "GAP",
                )
            )
        out.append(
            (
                "search index update per publish",
                f"{publish['publish_median_ms']} ms, {publish['publish_median_writes']} write calls "
                f"({publish['median_terms']} terms, {publish['body_words']} words); an edit "
                f"{publish['edit_median_ms']} ms, {publish['edit_median_writes']} write calls",
                "bounded (<= 400 terms)",
                "met" if publish["median_terms"] <= 400 else "GAP",
            )
        )
        lunr = search.get("lunr")
        if lunr:
            out.append(
                (
                    f"alternative: lunr.py index of {search['posts']} posts",
                    f"rebuild {lunr['build_s']} s per publish, {lunr['json_mb']} MB JSON ({lunr['gzip_mb']} MB gzip), "
                    f"load {lunr['load_s']} s per container, query p50 {lunr['query_p50_ms']} ms",
                    "(comparison)",
                    "-",
                )
            )
    load = results.get("load")
    if load:
        out.append(
            (
                f"load: {load['users']} users, {load['seconds']} s",
                f"{load['requests']} requests, {load['rps']} req/s, p50 {load['p50_ms']} ms, p99 {load['p99_ms']} ms, "
                f"{load['server_errors']} 5xx",
                "0 5xx",
                "met" if load["server_errors"] == 0 else "GAP",
            )
        )
        out.append(
            (
                "load: writes vs DynamoDB",
                f"{load['writes_acknowledged']} acknowledged, {load['writes_found']} found, "
                f"{load['duplicates']} duplicated",
                "equal, 0 duplicated",
                "met" if load["writes_lost"] == 0 and load["duplicates"] == 0 else "GAP",
            )
        )
    return out


def history_flat(row: dict, goal: float) -> bool:
    """Flat: the largest history costs at most `goal` times the smallest, in read capacity and in latency."""
    return all(ratio is None or ratio <= goal for ratio in (row["ratio_rcu"], row["ratio_ms"], row["ratio_calls"]))


def table(lines: list[tuple[str, str, str, str]]) -> str:
    header = ("measure", "value", "goal", "verdict")
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(4)]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    rule = "-|-".join("-" * w for w in widths)
    return "\n".join(
        ["| " + fmt.format(*header) + " |", "|-" + rule + "-|", *("| " + fmt.format(*r) + " |" for r in lines)]
    )


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hot = results.get("hot_paths", [])
    cdn = results.get("cdn")
    fig, axes = plt.subplots(1, 2 if cdn else 1, figsize=(14 if cdn else 8, 6), squeeze=False)
    if hot:
        ax = axes[0][0]
        names = [r["path"] for r in hot]
        y = range(len(names))
        ax.barh([i + 0.2 for i in y], [r["app_median_ms"] for r in hot], 0.4, label="app (cold cache)")
        ax.barh([i - 0.2 for i in y], [r["bare_median_ms"] for r in hot], 0.4, label="bare WSGI + boto3")
        ax.set_yticks(list(y), names)
        ax.invert_yaxis()
        ax.set_xlabel("median latency (ms), same DynamoDB calls")
        ax.legend()
        ax.set_title("Framework overhead per hot path")
    if cdn:
        ax = axes[0][1]
        labels = ["update checks", "artifact bytes", "page views"]
        values = [
            cdn["update_checks"]["offload_pct"],
            cdn["artifact_bytes"]["offload_pct"],
            cdn["page_views"]["offload_pct"],
        ]
        ax.bar(labels, values, color=["#4c72b0", "#55a868", "#c44e52"])
        ax.axhline(99, linestyle="--", color="grey")
        ax.axhline(95, linestyle=":", color="grey")
        ax.set_ylim(min(80, *values) - 1, 100.5)
        ax.set_ylabel("% served by the cache")
        ax.set_title(f"CDN offload (edge twin from mysite/edge.py, {cdn.get('origins', 1)} origins)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    results["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["machine"] = machine()
    lines = rows(results)
    results["table"] = [dict(zip(("measure", "value", "goal", "verdict"), line, strict=True)) for line in lines]
    (folder / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    chart(results, folder / "latest.png")
    print(f"\nBenchmarks of {results['date']} on {results['machine']} ({results['seconds']} s)\n")
    print(table(lines))
    print(f"\nWrote {folder / 'latest.json'} and {folder / 'latest.png'}")
