"""`make bench`: every measurement on a private local stack, one table, results/latest.json and a chart."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = ("dynamo", "coldstart", "cdn", "load", "package", "history", "search")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--iterations", type=int, default=int(os.environ.get("BENCH_ITERATIONS", 150)))
    parser.add_argument("--load-seconds", type=int, default=int(os.environ.get("BENCH_LOAD_SECONDS", 90)))
    parser.add_argument("--load-users", type=int, default=50)
    parser.add_argument("--origins", type=int, default=3, help="origin processes behind the edge twin")
    parser.add_argument("--clients", type=int, default=1000, help="update clients in the CDN mix")
    parser.add_argument("--page-views", type=int, default=5000, help="page views in the CDN mix")
    parser.add_argument("--posts", type=int, default=40, help="blog posts seeded")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold starts of the packaged function")
    parser.add_argument(
        "--history-sizes",
        type=int,
        nargs="+",
        default=[int(n) for n in os.environ.get("BENCH_HISTORY_SIZES", "100 1000 3000").split()],
        # 10,000 is the largest size the goals name; seeding it twice (the history, then the search section's blog)
        # takes the run past its 12-minute budget, so the default stops at 3,000: `--history-sizes 100 1000 10000`
        # (docs/blog-search.md keeps the figures of such a run, written by the bench itself).
        help="items of history (tasks per user, posts, releases per product) the history section measures at",
    )
    parser.add_argument(
        "--search-posts",
        type=int,
        nargs="+",
        default=None,
        help="the blog sizes (published posts) the search section grows its blog to and measures at; "
        "the history sizes unless given",
    )
    parser.add_argument(
        "--history-iterations",
        type=int,
        default=5,
        help="timed requests per path and size (their median: a loaded machine makes fewer noisy)",
    )
    parser.add_argument(
        "--history-scopes",
        nargs="+",
        choices=("todos", "blog", "updates"),
        default=["todos", "blog", "updates"],
        help="which rows of the history section to seed and measure (e.g. `todos` alone)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where latest.json and latest.png go")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks import report
    from benchmarks.seed import seed
    from devstack.stack import LocalStack, Ports

    data_dir = Path(os.environ["BENCH_DATA_DIR"])
    stack = LocalStack(
        data_dir,
        Ports(
            dynamodb=int(os.environ["BENCH_DYNAMODB_PORT"]),
            cognito=int(os.environ["BENCH_COGNITO_PORT"]),
            s3=int(os.environ["BENCH_S3_PORT"]),
            identity=int(os.environ["BENCH_IDENTITY_PORT"]),
        ),
        # DynamoDB Local on disk commits every write to SQLite on its own (about 80 items/s here, so the search
        # section's 670,000 index items alone took hours); in memory it takes ten times the writes, and the
        # bench throws its data away at the end anyway.
        in_memory=True,
    )
    started = time.monotonic()
    results: dict = {"sections": args.only, "posts": args.posts}
    print(f"Starting a private local stack in {data_dir} ...", flush=True)
    stack.start()
    try:
        call_command("provision", stdout=open(os.devnull, "w"))  # noqa: SIM115
        print("Seeding posts, todos and releases ...", flush=True)
        data = seed(posts=args.posts)
        if "dynamo" in args.only:
            from benchmarks import dynamo_work

            print("DynamoDB work and framework overhead ...", flush=True)
            results["hot_paths"] = dynamo_work.measure(data, iterations=args.iterations)
        if "coldstart" in args.only:
            from benchmarks import coldstart

            print("Cold start from the Lambda package ...", flush=True)
            results["cold_start"] = coldstart.measure(data, cold_runs=args.cold_runs)
        if "package" in args.only:
            from benchmarks import coldstart

            results["package"] = coldstart.package_size(results.get("cold_start", {}).get("package"))
        if "cdn" in args.only:
            from benchmarks import cdn

            print(f"CDN offload through the edge twin, {args.origins} origin processes ...", flush=True)
            results["cdn"] = cdn.measure(data, clients=args.clients, page_views=args.page_views, origins=args.origins)
        if "load" in args.only:
            from benchmarks import load

            print(f"Load: {args.load_users} users for {args.load_seconds} s ...", flush=True)
            results["load"] = load.measure(data, users=args.load_users, seconds=args.load_seconds)
        if "history" in args.only:
            from benchmarks import history

            # Last: its thousands of posts and releases would change what the other sections read.
            scopes = ", ".join(args.history_scopes)
            print(f"Cost against history at {args.history_sizes} items ({scopes}) ...", flush=True)
            results["history"] = history.measure(
                data,
                sizes=tuple(args.history_sizes),
                iterations=args.history_iterations,
                scopes=tuple(args.history_scopes),
            )
        if "search" in args.only:
            from benchmarks import search

            # After history: its posts would change what the other sections read.
            sizes = tuple(args.search_posts or args.history_sizes)
            print(f"Reader search on a blog of {list(sizes)} posts ...", flush=True)
            results["search"] = search.measure(data, sizes=sizes)
    except BaseException as error:
        # What the finished sections measured is kept (a failed run of 13 minutes must not leave nothing); the
        # README generator reads results/latest.json only, so a failed run goes to a file of its own.
        results["failed"] = f"{type(error).__name__}: {error}"
        results["seconds"] = round(time.monotonic() - started, 1)
        report.write(results, args.results / "failed")
        raise
    finally:
        stack.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
        if results.get("cold_start"):
            shutil.rmtree(Path(results["cold_start"]["package"]).parent, ignore_errors=True)
    results["seconds"] = round(time.monotonic() - started, 1)
    report.write(results, args.results)
    if results.get("search") and args.results == RESULTS:  # a real run, not a test's
        from benchmarks import search

        if max(int(size) for size in results["search"].get("by_size") or [results["search"]["posts"]]) >= (
            search.GOAL_POSTS
        ):
            search.write_doc(results, date=results["date"], machine=results["machine"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
