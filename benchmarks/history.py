"""Section 6: cost against history. DynamoDB calls, read capacity and latency of each hot path at growing history.

History is seeded straight into DynamoDB Local with BatchWriteItem through the real
models (PynamoDB's `batch_write`): per size a todo user with that many tasks in one list
(80% done, spread over three labels, a share due today), the blog topped up to that many
published posts (with their slug and tag items, tag and month counts) and that many
reader profiles, and a product with that many published releases (one ready artifact
each), whose newest release is published through the catalog's own service so that the
TUF metadata is signed over the whole history.

Each path is measured cold (the process's read cache emptied) and after a write (the
scope's generation stamp replaced, which is what every write of the scope does, so no
entry answers): calls and consumed read capacity (ReturnConsumedCapacity=TOTAL, from
the botocore hook of mysite.deploy.botocalls) of one request, latency as the median of a
few. The goal is flat: 10,000 items cost at most 1.5x what 100 cost.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from pynamodb.exceptions import TransactWriteError

from benchmarks.blog_history import history_posts_write
from benchmarks.botocalls import record
from benchmarks.paths import Credentials, sign_in
from benchmarks.seed import PLATFORMS, Seed, _user, release
from benchmarks.wsgi import call

SIZES = (100, 1000, 10000)
DONE_SHARE = 0.8
LABELS = ("home", "work", "errands")
ITERATIONS = 5
GOAL_RATIO = 1.5
TOPIC_POSTS = 25


@dataclass
class HistoryPath:
    name: str
    scope: str  # "todos", "blog" or "updates": which history it grows with, and which stamp a write replaces
    method: str
    url: str
    auth: str | None = None  # "session", "bearer"
    form: dict | None = None  # a POST form (CSRF added)


def _tasks(owner: str, size: int) -> tuple[str, str]:
    """A list with `size` tasks, 80% done; returns (list id, an open task's id)."""
    from pynamodb.exceptions import DoesNotExist

    from todos import services
    from todos.models import Task, TaskCounts
    from todos.services.counts import counted, counts_map

    todo_list = services.list_create(owner=owner, name=f"History {size}")
    today = datetime.now(UTC).date()
    done_count = round(size * DONE_SHARE)
    open_task = ""
    started = datetime.now(UTC) - timedelta(days=size)
    counters: Counter = Counter()
    with Task.batch_write() as batch:
        for i in range(size):
            done = i < done_count
            task = Task(
                owner,
                uuid.uuid4().hex,
                list_id=todo_list.list_id,
                title=f"History task {i}",
                done=done,
                completed_at=started + timedelta(hours=i) if done else None,
                labels=[LABELS[i % len(LABELS)]],
                position=i + 1,
                due_date=(today - timedelta(days=i % 30)).isoformat() if i % 10 == 0 else None,
                created_at=started + timedelta(hours=i),
            )
            task.version = 1
            task.refresh_keys()
            batch.save(task)
            counters.update(counted(task))
            if not done and not open_task:
                open_task = task.task_id
    # The counters the task writes keep, as they stand after these tasks (the list was empty).
    try:
        counts = TaskCounts.get(owner, consistent_read=True)
        maps = {name: counts_map(counts, name) for name in ("labels", "left", "due")}
    except DoesNotExist:
        maps = {"labels": {}, "left": {}, "due": {}}
    for (name, key), n in counters.items():
        maps[name][key] = maps[name].get(key, 0) + n
    TaskCounts(owner, **maps).save()
    from mysite import cache as read_cache

    read_cache.stamp_bump_now(read_cache.user_scope(owner))
    return todo_list.list_id, open_task


def _posts(author_sub: str, count: int, tags: list[str], offset: int) -> None:
    """`count` more published posts, with the slug, tag and count items the publish transaction writes."""
    from blog.models import Term

    start = datetime.now(UTC) - timedelta(days=offset + count)
    published = [
        (offset + i, start + timedelta(days=i, minutes=(offset + i) % 60), tags[(offset + i) % len(tags)])
        for i in range(count)
    ]
    counts: dict[tuple[str, str], int] = {}
    for post in history_posts_write(author_sub=author_sub, author_name="Bench Author", published=published):
        for key in (("tag", post.tags[0]), ("month", post.published_month)):
            counts[key] = counts.get(key, 0) + 1
    for (kind, name), delta in counts.items():
        Term(kind, name).update(actions=[Term.post_count.add(delta)])


def _topics(count: int, offset: int) -> None:
    """Tags grow with history too: one more tag per TOPIC_POSTS posts, as the counts the archive reads."""
    from blog.models import Term

    with Term.batch_write() as batch:
        for number in range(offset // TOPIC_POSTS, (offset + count) // TOPIC_POSTS):
            batch.save(Term("tag", f"topic-{number}", post_count=TOPIC_POSTS, display_name=f"topic-{number}"))


def _profiles(count: int, offset: int) -> None:
    """`count` more reader profiles, with the per-shard counts their sign-up transactions keep."""
    from accounts.models import Profile, ReaderCount

    per_shard: dict[str, int] = {}
    joined = datetime.now(UTC) - timedelta(days=offset + count)
    with Profile.batch_write() as batch:
        for i in range(count):
            profile = Profile(
                f"history-{uuid.uuid4()}",
                email=f"reader-{offset + i}@example.com",
                display_name=f"Reader {offset + i}",
                joined_at=joined + timedelta(hours=i),
                welcome_email_sent_at=joined + timedelta(hours=i),
            )
            profile.version = 1
            batch.save(profile)
            per_shard[profile.kind] = per_shard.get(profile.kind, 0) + 1
    for shard, added in per_shard.items():
        ReaderCount(shard).update(actions=[ReaderCount.profiles.add(added)])


def _releases(dispatcher, size: int) -> tuple[str, str]:
    """A product with `size` published releases, the newest through the catalog's service (TUF re-signed)."""
    from updates import services
    from updates.models import Artifact, Release
    from updates.versions import SemVer

    product = f"history-{uuid.uuid4().hex[:8]}"
    services.product_create(slug=product, name=f"History {size}", description="Releases of the history benchmark")
    start = datetime.now(UTC) - timedelta(days=size)
    with Release.batch_write() as releases, Artifact.batch_write() as artifacts:
        for i in range(size - 1):
            name = f"1.{i}.0"
            sort_key = SemVer.parse(name).sort_key
            published_at = start + timedelta(days=i)
            item = Release(
                product,
                sort_key,
                version_name=name,
                channel="stable",
                channel_key=f"{product}#stable",
                status="published",
                notes=f"# {name}",
                created_at=published_at,
                published_at=published_at,
            )
            item.version = 1
            releases.save(item)
            digest = uuid.uuid5(uuid.NAMESPACE_URL, f"{product}/{name}").hex * 2
            filename = f"App-{name}-linux-x64.zip"
            artifact = Artifact(
                product,
                f"{sort_key}#linux-x64",
                version_name=name,
                platform="linux-x64",
                filename=filename,
                declared_size=1024,
                declared_sha256=digest,
                upload_key=f"uploads/{product}/{name}/{filename}",
                status="ready",
                size=1024,
                sha256=digest,
                signature="",
                key=f"artifacts/{digest}/{filename}",
                created_at=published_at,
                ready_at=published_at,
            )
            artifact.version = 1
            artifacts.save(artifact)
    try:
        release(dispatcher, product, f"1.{size - 1}.0")
    except TransactWriteError as error:
        # Measured at 3,000 releases: the signed targets file outgrows DynamoDB's 400 KB item and the
        # catalog can publish nothing more. Reported, and the reads measured on the history as it stands.
        return product, f"publishing release {size} failed: {error.cause_response_message or error}"
    return product, ""


def _paths(
    *, list_id: str, task_id: str, author_sub: str, tag: str, month: str, product: str, slug: str
) -> list[HistoryPath]:
    from pynamodb.exceptions import DoesNotExist

    from updates.models import TufRepository

    installed = "1.0.0"
    try:
        tuf = TufRepository.get(product, consistent_read=True)
    except DoesNotExist:  # the updates history is not measured in this run
        tuf = TufRepository(product, snapshot_version=1, targets_version=1)
    return [
        HistoryPath("todo list page", "todos", "GET", f"/todos/lists/{list_id}/", "session"),
        HistoryPath("labels API", "todos", "GET", "/api/todos/labels", "bearer"),
        HistoryPath("Today page", "todos", "GET", "/todos/today/", "session"),
        HistoryPath("task toggle", "todos", "POST", f"/todos/tasks/{task_id}/toggle", "session", form={}),
        HistoryPath("blog home", "blog", "GET", "/blog/"),
        HistoryPath("tag page", "blog", "GET", f"/blog/tag/{tag}/"),
        HistoryPath("author page", "blog", "GET", f"/blog/author/{author_sub}/"),
        HistoryPath("archive", "blog", "GET", "/blog/archive/"),
        HistoryPath("archive month", "blog", "GET", f"/blog/archive/{month[:4]}/{int(month[5:])}/"),
        HistoryPath("RSS feed", "blog", "GET", "/blog/rss.xml"),
        HistoryPath("Atom feed", "blog", "GET", "/blog/atom.xml"),
        HistoryPath("post page", "blog", "GET", f"/blog/{slug}/"),
        HistoryPath("readers list (authors)", "blog", "GET", "/api/blog/admin/readers", "author"),
        HistoryPath("posts list (authors)", "blog", "GET", "/api/blog/admin/posts", "author"),
        HistoryPath("posts search (authors)", "blog", "GET", "/api/blog/admin/posts?q=zzz", "author"),
        HistoryPath("sitemap (lists every post, at most 45,000)", "blog", "GET", "/sitemap.xml"),
        HistoryPath(
            "update check JSON", "updates", "GET", f"/api/updates/{product}/stable/linux-x64/{installed}?bucket=7"
        ),
        HistoryPath(
            "update check JSON cacheable",
            "updates",
            "GET",
            f"/api/updates/{product}/stable/linux-x64/{installed}/rollout",
        ),
        HistoryPath("update check electron", "updates", "GET", f"/update/{product}/linux-x64/{installed}?bucket=7"),
        HistoryPath("appcast (Sparkle)", "updates", "GET", f"/updates/{product}/appcast.xml?platform=linux-x64"),
        HistoryPath("TUF timestamp", "updates", "GET", f"/updates/{product}/tuf/timestamp.json"),
        HistoryPath(
            "TUF snapshot", "updates", "GET", f"/updates/{product}/tuf/{int(tuf.snapshot_version)}.snapshot.json"
        ),
        HistoryPath("TUF targets", "updates", "GET", f"/updates/{product}/tuf/{int(tuf.targets_version)}.targets.json"),
    ]


def _request(app, path: HistoryPath, creds: dict[str, Credentials]):
    headers: dict[str, str] = {}
    body = b""
    who = creds["author"] if path.auth == "author" else creds["todo"]
    if path.auth == "session":
        headers["Cookie"] = f"sessionid={who.session_cookie}; csrftoken={who.csrf_token}"
    elif path.auth in ("bearer", "author"):
        headers["Authorization"] = f"Bearer {who.bearer}"
    if path.form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["X-CSRFToken"] = who.csrf_token
        body = urlencode({**path.form, "csrfmiddlewaretoken": who.csrf_token}).encode()
    return call(app, path.method, path.url, headers=headers, body=body)


def _bump(path: HistoryPath, scopes: dict[str, str]) -> None:
    from mysite import cache as read_cache

    read_cache.stamp_bump_now(scopes[path.scope])


def _one(app, path: HistoryPath, creds, scopes, *, after_write: bool, iterations: int) -> dict:
    timings = []
    for attempt in range(iterations + 1):
        if after_write:
            _bump(path, scopes)
        else:
            cache.clear()
        started = time.perf_counter()
        with record() as calls:
            answer = _request(app, path, creds)
        elapsed = time.perf_counter() - started
        assert answer.status < 400, (path.name, answer.status, answer.body[:300])
        if attempt == 0:
            first = calls
        else:
            timings.append(elapsed)
    return {
        "dynamodb_calls": first.dynamodb_calls,
        "rcu": first.capacity_units,
        "ms": round(statistics.median(timings) * 1000, 1),
        "calls": first.summary(),
    }


SCOPES = ("todos", "blog", "updates")


def measure(
    seed: Seed, *, sizes: tuple[int, ...] = SIZES, iterations: int = ITERATIONS, scopes: tuple[str, ...] = SCOPES
) -> dict:
    """Every history path of `scopes` at every size, cold and after a write; the 10k/100 (largest/smallest) ratios.

    Only the history of the chosen scopes is seeded (`--history-scopes todos` seeds tasks only).
    """
    from mysite import cache as read_cache
    from mysite.dispatcher import Dispatcher
    from mysite.event_sources import UploadSource, all_event_sources

    app = get_wsgi_application()
    # S3 events only (the newest release's artifacts). The posts and profiles are seeded as their stream
    # handlers leave them, welcomed; handing thousands of them to those handlers one by one would be the
    # seeding's slowest part. The history's posts get no search index: no row here reads it, and the search
    # section seeds and indexes a blog of its own.
    dispatcher = Dispatcher([source for source in all_event_sources() if isinstance(source, UploadSource)])
    author_creds = sign_in(app, seed.author_email)
    sizes = tuple(sorted(set(sizes)))
    posts_have, readers_have = len(seed.post_slugs), 0
    by_path: dict[str, dict] = {}
    seeding: dict[int, float] = {}
    failures: dict[int, str] = {}
    for size in sizes:
        started = time.monotonic()
        email, sub = _user("bench-history", [])
        list_id, task_id = _tasks(sub, size) if "todos" in scopes else ("inbox", "")
        if size > posts_have and "blog" in scopes:
            _posts(seed.author_sub, size - posts_have, seed.tags, posts_have)
            _topics(size - posts_have, posts_have)
            posts_have = size
        if size > readers_have and "blog" in scopes:
            _profiles(size - readers_have, readers_have)
            readers_have = size
        product, publish_error = _releases(dispatcher, size) if "updates" in scopes else (seed.product, "")
        if publish_error:
            failures[size] = publish_error
        dispatcher.run_once(include_schedules=False)
        seeding[size] = round(time.monotonic() - started, 1)
        print(f"  {size} items of history seeded in {seeding[size]:.0f} s", flush=True)
        read_cache.stamp_bump_now(read_cache.BLOG_SCOPE)
        creds = {"todo": sign_in(app, email), "author": author_creds}
        stamps = {
            "todos": read_cache.user_scope(sub),
            "blog": read_cache.BLOG_SCOPE,
            "updates": read_cache.product_scope(product),
        }
        month = datetime.now(UTC).strftime("%Y-%m")  # the seeded posts were published at the start of the run
        paths = _paths(
            list_id=list_id,
            task_id=task_id,
            author_sub=seed.author_sub,
            tag=seed.tags[0],
            month=month,
            product=product,
            slug=seed.post_slugs[0],
        )
        for path in (path for path in paths if path.scope in scopes):
            _request(app, path, creds)  # code paths, templates and clients loaded once: not first-import cost
            row = by_path.setdefault(path.name, {"path": path.name, "history": path.scope, "sizes": {}})
            row["sizes"][str(size)] = {
                "cold": _one(app, path, creds, stamps, after_write=False, iterations=iterations),
                "after_write": _one(app, path, creds, stamps, after_write=True, iterations=iterations),
            }
    smallest, largest = str(sizes[0]), str(sizes[-1])
    for row in by_path.values():
        low, high = row["sizes"][smallest]["after_write"], row["sizes"][largest]["after_write"]
        row["ratio_rcu"] = round(high["rcu"] / low["rcu"], 2) if low["rcu"] else None
        row["ratio_ms"] = round(high["ms"] / low["ms"], 2) if low["ms"] else None
        row["ratio_calls"] = round(high["dynamodb_calls"] / low["dynamodb_calls"], 2) if low["dynamodb_calls"] else None
    return {
        "sizes": list(sizes),
        "scopes": list(scopes),
        "done_share": DONE_SHARE,
        "iterations": iterations,
        "goal_ratio": GOAL_RATIO,
        "seeding_s": seeding,
        "publish_failures": failures,
        "paths": list(by_path.values()),
        "platforms_seeded": [PLATFORMS[2]],
    }
