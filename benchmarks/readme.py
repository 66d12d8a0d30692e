"""`python -m benchmarks.readme`: rewrite README's last section, "## Performance", from results/latest.json."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.report import table

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Performance"
GAPS = Path(__file__).with_name("GAPS.md")


def section(results: dict) -> str:
    lines = [(r["measure"], r["value"], r["goal"], r["verdict"]) for r in results["table"]]
    hot = results.get("hot_paths", [])
    cold = results.get("cold_start", {})
    cdn = results.get("cdn", {})
    load = results.get("load", {})
    parts = [
        HEADING,
        "",
        f"`make bench` (not part of `make test`; {max(1, round(results['seconds'] / 60))} minutes in this run) "
        "starts a private local stack on free ports (DynamoDB Local in memory: on disk it commits every write on its "
        f"own, too slow to seed the histories), seeds a todo list, {results.get('posts', 40)} blog posts and a "
        "product with two releases, and measures everything below in one run. It prints this table and writes "
        "`benchmarks/results/latest.json` (every figure, with the calls behind it) and "
        "`benchmarks/results/latest.png`. `make fuzz` runs the schema fuzz with 50 examples per operation.",
        "",
        f"Latest run: **{results['date']}** on {results['machine']}, {results['seconds']} s.",
        "",
        table(lines),
        "",
        "![benchmark chart](benchmarks/results/latest.png)",
        "",
        "How each figure is taken:",
        "",
        "- *DynamoDB calls/CU*: every botocore call of one request through the WSGI app, counted by a hook on "
        "botocore's client (PynamoDB and boto3 alike), with `ReturnConsumedCapacity=TOTAL`; cold = empty read cache, "
        "warm = the same request again. The goal is the fewest calls the access pattern allows, per row in "
        "`benchmarks/paths.py` and below.",
        "- *app/bare*: median and p99 of the same request, app vs. a bare WSGI function replaying the very AWS calls "
        "the app made (plain boto3 client) and returning as many bytes; both in-process, read cache cleared first.",
        "- *cold start*: the zip from `make package`'s code (`mysite.deploy.build_package`), unzipped afresh for each "
        f"of {len(cold.get('first_response_runs_s', [])) or 5} runs, `python3.13 -I -S -B` (no site-packages; no .pyc "
        "written, as /var/task is read-only), Zappa's `LambdaHandler` answering one API Gateway event; wall time from "
        "process start to the first response.",
        "- *CDN*: the edge twin: nginx (Debian's nginx-light) configured by `mysite/edge.py`, the same behaviour table "
        "`setup_cloudfront` renders for CloudFront (committed as `benchmarks/twin/`, compared byte for byte by the "
        "tests): per path pattern, in CloudFront's first-match order, the same cache key (path + the public query "
        "strings; no cookies, no Authorization), the app's Cache-Control alone deciding on cached behaviours, and "
        "signed-in and write routes passed through uncached. Behind it "
        f"{cdn.get('origins', 1)} origin processes, each with its own memory like a Lambda container, requests spread "
        "round-robin. The app's own CloudFront `CreateInvalidation` call goes to a local stand-in that deletes the "
        "matching nginx cache files (exact path, or prefix for `*`); nginx then finds the file gone and refetches "
        f"(from whichever origin is next). The mix: {cdn.get('update_checks', {}).get('total', 0)} update checks, 10 "
        "per client (platform, rollout bucket, installed version, protocol: 30% the cacheable JSON check "
        "`.../<version>/rollout`, the client applying its own bucket to the offers; 10% legacy JSON clients with "
        "`?bucket=` in the URL; 30% electron, whose Squirrel feed holds the bucket, so up to 100 URLs per platform "
        "and version as docs/updates-protocols.md states; 20% Sparkle; 10% TUF), "
        f"{cdn.get('page_views', {}).get('total', 0)} page views over {cdn.get('distinct_pages', 0)} pages "
        "on a Zipf curve, and every out-of-date client downloading its build (30% resumed with `Range`).",
        "- *stale reads after write across containers*: a task and a list created and a post retitled through the "
        "twin, after every origin had read them once; then each read (task list, lists, post page, post read API, "
        "blog home) through every origin directly and through the twin; an answer without the write is stale.",
        "- *cost against history*: below the table; the same requests in-process through the WSGI app at each "
        "size of history, calls and `ConsumedCapacity` from the botocore hook (`mysite/deploy/botocalls.py`).",
        "- *search*: a synthetic blog (Zipf-distributed words) grown to each size, its posts and index items "
        "written with BatchWriteItem as the posts table's Stream handler would leave them (the index's own code "
        "computes them); at each size the same distinct queries through the search API in-process, the read cache "
        "emptied first, so each is computed; then a repeated set (cached). Index updates: posts of 600 words "
        "published through the services and indexed by the handler's function.",
        "- *load*: locust, headless, 50 users on loopback against the app on a threaded WSGI server (todo users "
        "reading and writing tasks, blog readers, update clients, an author writing drafts and releases); every "
        "acknowledged write is then looked up in DynamoDB with consistent reads.",
        "",
    ]
    if hot:
        parts += ["DynamoDB work per hot path (cold):", "", "| path | calls | access pattern (the stated minimum) |"]
        parts += ["|---|---|---|"]
        parts += [f"| {r['path']} | {r['calls_cold']} | {r['access_pattern']} |" for r in hot]
        parts.append("")
    if cold:
        breakdown = ", ".join(f"{b['package']} {b['ms']} ms" for b in cold.get("import_breakdown", [])[:8])
        parts += [
            f"Cold start: runs {cold['first_response_runs_s']} s; interpreter {cold['interpreter_s']} s, "
            f"import of Zappa's handler {cold['import_s']} s, first event (settings, Django set-up, the request) "
            f"{cold['first_request_s']} s, a warm request {cold['warm_request_s']} s. Cumulative import time by "
            f"package (-X importtime): {breakdown}.",
            "",
        ]
    if cdn:
        protocols = ", ".join(f"{k[6:]} {v['offload_pct']}%" for k, v in cdn["update_checks_by_protocol"].items())
        parts += [
            f"CDN by protocol: {protocols}; {cdn['distinct_update_check_urls']} distinct update-check URLs in the "
            f"mix. Artifacts: {cdn['artifact_bytes']['requests']} requests ({cdn['artifact_bytes']['partial_206']} "
            "of them 206 answers to resumed downloads), the origin sent each file once.",
            "",
        ]
    history = results.get("history")
    if history:
        sizes = [str(size) for size in history["sizes"]]
        parts += [
            f"Cost against history (sizes {', '.join(f'{int(s):,}' for s in sizes)}; seeded with BatchWriteItem "
            f"through the real models in {sum(history['seeding_s'].values()):.0f} s): per size, DynamoDB calls, "
            "consumed read capacity and median latency of one request, cold (empty read cache) / after a write (the "
            f"scope's stamp replaced, so no entry answers); median of {history['iterations']} requests. Tasks: one "
            f"user's list with {round(100 * history['done_share'])}% done; posts and reader profiles: the whole blog; "
            "releases: one product. The ratio is the largest size over the smallest, after a write.",
            "",
            "| path | " + " | ".join(f"{int(s):,} items: calls, RCU, ms" for s in sizes) + " | ratio RCU | ratio ms |",
            "|---|" + "---|" * len(sizes) + "---|---|",
        ]
        for row in history["paths"]:
            cells = []
            for size in sizes:
                cold, after = row["sizes"][size]["cold"], row["sizes"][size]["after_write"]
                cells.append(
                    f"{cold['dynamodb_calls']}/{after['dynamodb_calls']}, {cold['rcu']}/{after['rcu']}, "
                    f"{cold['ms']}/{after['ms']}"
                )
            parts.append(f"| {row['path']} | " + " | ".join(cells) + f" | x{row['ratio_rcu']} | x{row['ratio_ms']} |")
        parts += ["", _history_verdict(history), ""]
    search = results.get("search")
    if search and search.get("by_size"):
        entries = list(search["by_size"].values())
        p50 = " / ".join(f"{entry['cold']['p50_ms']}" for entry in entries)
        calls = " / ".join(f"{entry['cold']['median_calls']}" for entry in entries)
        sizes = " / ".join(f"{entry['posts']:,}" for entry in entries)
        parts += [
            f"Search on blogs of {sizes} posts: computed p50 {p50} ms, median DynamoDB calls {calls} per query "
            f"(seeded in {search['seed_s']:.0f} s).",
            "",
        ]
    if load:
        kinds = ", ".join(f"{k} {v['acknowledged']}/{v['found']}" for k, v in load["writes"].items())
        parts += [f"Load writes (acknowledged/found in DynamoDB): {kinds}.", ""]
    parts += [
        "Abuse and faults run in `make test` (about 65 s for `tests/abuse/`): schemathesis on every operation of "
        "`/api/schema/` with and without a token (3 derandomized examples each; no 5xx, every answer documented and "
        "shaped as documented; every protected operation is a 401 without credentials), the cross-user matrix "
        "(user B gets 404 on user A's lists, tasks, subtasks and attachments for every API verb and HTML action, "
        "nothing changes; presigned URLs, sessions), path traversal in file names and file routes, content-type "
        "lies, and cache safety (answers for signed-in callers are never shared-cacheable, public ones never set or "
        "vary on cookies, release changes invalidate the product's paths). Token attacks, oversized and malformed "
        "bodies, injected throttling and a stopped emulator, and a crashing stream handler are in "
        "`tests/mysite/test_auth.py`, `test_abuse.py`, `test_faults.py` and `test_dispatcher.py`.",
        "",
    ]
    if GAPS.exists():
        parts += [GAPS.read_text().strip(), ""]
    return "\n".join(parts)


def _history_verdict(history: dict) -> str:
    """Which history rows stayed within the goal ratio in this run, and which did not (by which measure)."""
    goal = history["goal_ratio"]
    flat, grew = [], []
    for row in history["paths"]:
        over = [
            f"{name} x{row[key]}"
            for name, key in (("calls", "ratio_calls"), ("RCU", "ratio_rcu"), ("ms", "ratio_ms"))
            if row[key] is not None and row[key] > goal
        ]
        (grew if over else flat).append(f"{row['path']}: {', '.join(over)}" if over else row["path"])
    smallest, largest = f"{history['sizes'][0]:,}", f"{history['sizes'][-1]:,}"
    text = f"Within x{goal} from {smallest} to {largest} items in this run: {len(flat)} of {len(history['paths'])} rows"
    text += f"; above it: {'; '.join(grew)}." if grew else "."
    failures = history.get("publish_failures") or {}
    if failures:
        text += " Publish failures: " + "; ".join(f"at {size}: {error}" for size, error in failures.items()) + "."
    else:
        text += " Every size's newest release was published through the catalog's service."
    return text


def main() -> None:
    results = json.loads((ROOT / "benchmarks" / "results" / "latest.json").read_text())
    readme = ROOT / "README.md"
    text = readme.read_text()
    before = text.split(f"\n{HEADING}\n", 1)[0].rstrip("\n")
    readme.write_text(f"{before}\n\n{section(results)}")


if __name__ == "__main__":
    main()
