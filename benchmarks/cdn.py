"""Section 4: CDN offload through the edge twin, a replayed mix, hit ratios, staleness after writes.

The twin is nginx configured by mysite.edge (the table setup_cloudfront renders for
CloudFront), in front of N origin processes (default 3), each with its own memory like
a Lambda container; nginx spreads the requests over them round-robin.

Invalidation: the app calls CloudFront's CreateInvalidation as in production; the
endpoint is a local stand-in (servers.Purger) that deletes the matching nginx cache
files (CloudFront semantics: an exact path, or a prefix ending in `*`). nginx finds
the file gone and fetches from the origin again.
"""

from __future__ import annotations

import random
import re
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import requests

from benchmarks.seed import PASSWORD, PLATFORMS, Seed, release
from benchmarks.servers import ORIGIN_COUNT, Nginx, Origins, Purger

CLIENTS = 1000
CHECKS_PER_CLIENT = 10
PAGE_VIEWS = 5000
RESUMED_SHARE = 0.3
THREADS = 8
SERVED_FROM_CACHE = {"HIT", "STALE", "UPDATING"}
ELECTRON_PLATFORM = {"darwin-arm64": "darwin-arm64", "windows-x64": "win32-x64", "linux-x64": "linux-x64"}
# A fleet's clients by the form they ask in (docs/updates-protocols.md, "A fleet's URLs"). JSON clients ask the
# cacheable form; electron apps ask it too and hand Squirrel the lowest bucket of their step, so no raw bucket
# reaches a URL. The bucket-in-URL forms are the clients that have not updated since their app learnt the
# cacheable form: every update they install moves them to it, so they are the fleet's few stragglers.
PROTOCOLS = (
    ("json", 0.35),
    ("json-legacy", 0.03),
    ("electron", 0.30),
    ("electron-legacy", 0.02),
    ("sparkle", 0.2),
    ("tuf", 0.1),
)
# The release the replay finds mid-rollout: clients inside it and clients outside it both ask.
ROLLING_VERSION, ROLLING_PERCENT = "1.2.0", 30


def via(url: str, protocol: str) -> str:
    """Label a check with its client's protocol: `via` is in no cache key, so the twin keys and forwards without it."""
    return f"{url}{'&' if '?' in url else '?'}via={protocol}"


def protocol_of(uri: str) -> str | None:
    match = re.search(r"[?&]via=([a-z-]+)", uri)
    return f"check-{match.group(1)}" if match else None


def cache_key_of(uri: str) -> str:
    """The request as the twin keys it: without the `via` label."""
    return re.sub(r"[?&]via=[a-z-]+$", "", uri)


def update_check_urls(
    seed: Seed, rng: random.Random, clients: int = CLIENTS
) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """1k clients, each with a platform, a rollout bucket, an installed version and a protocol; 10 checks each.

    Every client not on the newest version then downloads the newest build for its platform
    (a share of them resuming an interrupted download with a Range request).
    """
    newest = [p for p in seed.artifact_paths if f"-{seed.versions[-1]}-" in p]
    checks, downloads = [], []
    for _ in range(clients):
        platform = rng.choice(PLATFORMS)
        bucket = rng.randrange(100)
        version = rng.choice(seed.versions)
        protocol = rng.choices([p for p, _ in PROTOCOLS], [w for _, w in PROTOCOLS])[0]
        electron = f"/update/{seed.product}/{ELECTRON_PLATFORM[platform]}/{version}"
        url = {
            "json": f"/api/updates/{seed.product}/stable/{platform}/{version}/rollout",
            "json-legacy": f"/api/updates/{seed.product}/stable/{platform}/{version}?bucket={bucket}",
            # The app's first request; the Squirrel feed (`electron` + the step's bucket) follows when offered.
            "electron": f"/api/updates/{seed.product}/stable/{platform}/{version}/rollout",
            "electron-legacy": f"{electron}?bucket={bucket}",
            "sparkle": f"/updates/{seed.product}/appcast.xml?platform={platform}",
            "tuf": f"/updates/{seed.product}/tuf/timestamp.json",
        }[protocol]
        checks += [(f"check-{protocol}", via(url, protocol), bucket)] * CHECKS_PER_CLIENT
        if version != seed.versions[-1]:
            downloads.append(("artifact", next(p for p in newest if p.endswith(f"-{platform}.zip")), bucket))
    return checks, downloads


def page_view_urls(seed: Seed, rng: random.Random, views: int = PAGE_VIEWS) -> list[tuple[str, str]]:
    """A long tail: the home page and feeds are hot, posts follow a Zipf curve, tag and archive pages trail."""
    pages = ["/blog/", "/blog/rss.xml", "/blog/atom.xml"]
    pages += [f"/blog/{slug}/" for slug in reversed(seed.post_slugs)]
    pages += [f"/blog/tag/{tag}/" for tag in seed.tags] + ["/blog/archive/", "/sitemap.xml"]
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(pages))]
    return [("page", url, 0) for url in rng.choices(pages, weights, k=views)]


def offer_for_bucket(answer: dict, bucket: int) -> dict | None:
    """The cacheable check's client rule (docs/updates-protocols.md): the first offer with rollout above the bucket."""
    return next((offer for offer in answer["offers"] if offer["rollout"] > bucket), None)


def step_bucket(answer: dict, bucket: int) -> int | None:
    """The bucket an electron app gives Squirrel: the lowest of its step (the rollout of the offer before its own)."""
    picked = offer_for_bucket(answer, bucket)
    if picked is None:
        return None
    before = [offer["rollout"] for offer in answer["offers"][: answer["offers"].index(picked)]]
    return max(before, default=0)


def squirrel_feed(rollout_url: str) -> str:
    """`/api/updates/<p>/<channel>/<platform>/<version>/rollout` -> the electron feed of the same client."""
    _, _, _, product, _, platform, version, _ = rollout_url.split("?")[0].split("/")
    return f"/update/{product}/{ELECTRON_PLATFORM[platform]}/{version}"


def fetch(session: requests.Session, base: str, kind: str, url: str, bucket: int, rng: random.Random) -> int:
    """One client request; a resumed download reads part of the file, drops it, then asks for the rest."""
    if kind == "artifact" and rng.random() < RESUMED_SHARE:
        with session.get(base + url, stream=True, timeout=30) as first:
            size = int(first.headers["Content-Length"])
            got = len(first.raw.read(size * 2 // 5))
        rest = session.get(base + url, headers={"Range": f"bytes={got}-"}, timeout=30)
        assert rest.status_code == 206, (url, rest.status_code)
        return got + len(rest.content)
    response = session.get(base + url, timeout=30)
    assert response.status_code < 500, (url, response.status_code)
    if kind == "check-json":
        offer_for_bucket(response.json(), bucket)  # the client's own step: no request, so no effect on the cache
    if kind == "check-electron":
        step = step_bucket(response.json(), bucket)
        if step is not None:  # offered: the app hands Squirrel the feed with its step's bucket
            feed = session.get(base + via(f"{squirrel_feed(url)}?bucket={step}", "electron"), timeout=30)
            assert feed.status_code == 200, (url, feed.status_code)
            return len(response.content) + len(feed.content)
    return len(response.content)


def replay(base: str, jobs: list[tuple[str, str, int]], seed_value: int) -> int:
    sessions = [requests.Session() for _ in range(THREADS)]
    rngs = [random.Random(seed_value + i) for i in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [
            pool.submit(fetch, sessions[i % THREADS], base, kind, url, bucket, rngs[i % THREADS])
            for i, (kind, url, bucket) in enumerate(jobs)
        ]
        return sum(f.result() for f in futures)


def offload(log: list[list[str]], kinds: dict[str, str]) -> dict:
    """Per kind: requests served from the cache, requests and bytes that reached the origin."""
    stats: dict[str, Counter] = defaultdict(Counter)
    for status, code, sent, upstream, uri in log:
        kind = protocol_of(uri) or kinds.get(uri)
        if kind is None:
            continue
        stats[kind]["total"] += 1
        stats[kind]["cached"] += status in SERVED_FROM_CACHE
        stats[kind][f"status_{code}"] += 1
        stats[kind]["bytes_sent"] += int(sent)
        stats[kind]["origin_bytes"] += int(upstream) if upstream.isdigit() else 0
    return stats


def cache_keys(log: list[list[str]]) -> dict[str, int]:
    """Per protocol: the distinct cache keys its checks asked for (each one misses at least once)."""
    keys: dict[str, set] = defaultdict(set)
    for *_, uri in log:
        kind = protocol_of(uri)
        if kind is not None:
            keys[kind].add(cache_key_of(uri))
    return {kind: len(urls) for kind, urls in sorted(keys.items())}


def figure(total: int, cached: int) -> dict:
    return {"total": total, "from_cache": cached, "offload_pct": round(100 * cached / total, 2) if total else 0.0}


def rolling_release(seed: Seed) -> None:
    """Publish the release that is mid-rollout while the fleet checks (a fleet rarely sees only full rollouts)."""
    from mysite.dispatcher import Dispatcher
    from updates import services

    release(Dispatcher(), seed.product, ROLLING_VERSION, publish=False)
    services.release_update(product=seed.product, version=ROLLING_VERSION, rollout=ROLLING_PERCENT)
    services.release_publish(product=seed.product, version=ROLLING_VERSION)


def stale_after_publish(seed: Seed, nginx: Nginx) -> dict:
    """Publish a post and edit another through the API, then read every affected page through the cache."""
    session = requests.Session()
    token = _token(seed.author_email)
    headers = {"Authorization": f"Bearer {token}"}
    watched = ["/blog/", "/blog/rss.xml", "/blog/atom.xml", "/api/blog/posts", f"/blog/tag/{seed.tags[0]}/"]
    for url in watched:
        session.get(nginx.url + url, timeout=10)
    title = f"Fresh post {uuid.uuid4().hex[:8]}"
    created = session.post(
        f"{nginx.url}/api/blog/admin/posts/create",
        json={"title": title, "body_markdown": "New!", "tags": [seed.tags[0]]},
        headers=headers,
        timeout=10,
    ).json()
    published = session.post(
        f"{nginx.url}/api/blog/admin/posts/{created['id']}/publish",
        json={"version": created["version"]},
        headers=headers,
        timeout=10,
    )
    assert published.status_code == 200, published.text[:300]
    results = {url: title in session.get(nginx.url + url, timeout=10).text for url in watched}
    post_url = f"/blog/{published.json()['slug']}/"
    results[post_url] = title in session.get(nginx.url + post_url, timeout=10).text
    # An edit of a page the mix made hot.
    from blog.selectors import post_get_published

    hot_slug = seed.post_slugs[-1]
    session.get(f"{nginx.url}/blog/{hot_slug}/", timeout=10)
    new_title = _retitle(session, nginx, post_get_published(slug=hot_slug).post_id, "Edited", headers)
    results[f"/blog/{hot_slug}/ (edited)"] = new_title in session.get(f"{nginx.url}/blog/{hot_slug}/", timeout=10).text
    return results


def update_stale_after_publish(seed: Seed, nginx: Nginx) -> dict:
    """Publish a new release; do cached update checks of the previous version see it at once?"""
    from mysite.dispatcher import Dispatcher

    checks = {
        "json": f"/api/updates/{seed.product}/stable/linux-x64/{seed.versions[-1]}/rollout",
        "electron": f"/update/{seed.product}/linux-x64/{seed.versions[-1]}?bucket=0",
        "json-legacy": f"/api/updates/{seed.product}/stable/linux-x64/{seed.versions[-1]}?bucket=5",
        "electron-legacy": f"/update/{seed.product}/linux-x64/{seed.versions[-1]}?bucket=5",
        "sparkle": f"/updates/{seed.product}/appcast.xml?platform=linux-x64",
    }
    session = requests.Session()
    for url in checks.values():
        session.get(nginx.url + url, timeout=10)
    version = "9.0.0"
    release(Dispatcher(), seed.product, version, publish=False)
    published = session.post(
        f"{nginx.url}/api/updates/products/{seed.product}/releases/{version}/publish",
        json={},
        headers={"Authorization": f"Bearer {_token(seed.release_manager_email)}"},
        timeout=10,
    )
    assert published.status_code == 200, published.text[:300]
    return {name: version in session.get(nginx.url + url, timeout=10).text for name, url in checks.items()}


def _retitle(session: requests.Session, nginx: Nginx, post_id: str, prefix: str, headers: dict) -> str:
    """Give a post a new unique title through the authors' API; the title."""
    admin = session.get(f"{nginx.url}/api/blog/admin/posts/{post_id}", headers=headers, timeout=10).json()
    new_title = f"{prefix} {uuid.uuid4().hex[:8]}"
    edited = session.post(
        f"{nginx.url}/api/blog/admin/posts/{post_id}/update",
        json={
            "title": new_title,
            "body_markdown": admin["body_markdown"],
            "slug": admin["slug"],
            "tags": admin["tags"],
            "version": admin["version"],
        },
        headers=headers,
        timeout=10,
    )
    assert edited.status_code == 200, edited.text[:300]
    return new_title


def _token(email: str) -> str:
    from accounts.services import account_sign_in

    return account_sign_in(email=email, password=PASSWORD)["AccessToken"]


def stale_across_containers(seed: Seed, nginx: Nginx, origins: Origins) -> dict:
    """Write through the twin, then read back through each origin process and through the twin.

    Every read is made once on every origin first, so each container holds whatever it
    caches; an answer that lacks the write afterwards is stale. Returns {read: stale count}.
    """
    session = requests.Session()
    todo = {"Authorization": f"Bearer {_token(seed.todo_email)}"}
    author = {"Authorization": f"Bearer {_token(seed.author_email)}"}
    slug = seed.post_slugs[-1]  # the newest seeded post: on the blog home's first page
    # A list of its own: the seeded one has grown past the first page with the other sections' writes.
    fresh_list = session.post(f"{nginx.url}/api/todos/lists", json={"name": "Across"}, headers=todo, timeout=10)
    assert fresh_list.status_code == 201, fresh_list.text[:300]
    list_id = fresh_list.json()["id"]
    reads = {
        "todo task list": (f"/api/todos/tasks?list_id={list_id}", todo),
        "todo lists": ("/api/todos/lists", todo),
        "blog post page": (f"/blog/{slug}/", {}),
        "blog read API": (f"/api/blog/posts/{slug}", {}),
        "blog home": ("/blog/", {}),
    }
    bases = [*origins.urls, nginx.url]

    def read(base: str, url: str, headers: dict) -> str:
        return session.get(base + url, headers=headers, timeout=10).text

    for url, headers in reads.values():
        for base in bases:
            read(base, url, headers)
    task_title = f"Across containers {uuid.uuid4().hex[:8]}"
    created = session.post(
        f"{nginx.url}/api/todos/tasks", json={"title": task_title, "list_id": list_id}, headers=todo, timeout=10
    )
    assert created.status_code == 201, created.text[:300]
    list_name = f"List {uuid.uuid4().hex[:8]}"
    made = session.post(f"{nginx.url}/api/todos/lists", json={"name": list_name}, headers=todo, timeout=10)
    assert made.status_code == 201, made.text[:300]
    from blog.selectors import post_get_published

    new_title = _retitle(session, nginx, post_get_published(slug=slug).post_id, "Retitled", author)
    expected = {
        "todo task list": task_title,
        "todo lists": list_name,
        "blog post page": new_title,
        "blog read API": new_title,
        "blog home": new_title,
    }
    stale: dict[str, int] = {}
    for name, (url, headers) in reads.items():
        stale[name] = sum(expected[name] not in read(base, url, headers) for base in bases)
    return {"reads_per_check": len(bases), "stale": stale}


def measure(seed: Seed, *, clients: int = CLIENTS, page_views: int = PAGE_VIEWS, origins: int = ORIGIN_COUNT) -> dict:
    rng = random.Random(20261127)
    purger = Purger()
    group = nginx = None
    try:
        group = Origins(origins, purger_port=purger.port)
        nginx = Nginx(group.ports)
        purger.nginx = nginx
        rolling_release(seed)
        checks, downloads = update_check_urls(seed, rng, clients)
        pages = page_view_urls(seed, rng, page_views)
        jobs = checks + pages + downloads
        rng.shuffle(jobs)
        kinds = {url: kind for kind, url, _ in jobs}
        client_bytes = replay(nginx.url, jobs, 7)
        log = nginx.log_lines()
        stats = offload(log, kinds)
        spread = nginx.origins_used()
        check_kinds = [k for k in stats if k.startswith("check-")]
        check_total = sum(stats[k]["total"] for k in check_kinds)
        check_cached = sum(stats[k]["cached"] for k in check_kinds)
        artifact = stats["artifact"]
        fresh = stale_after_publish(seed, nginx)
        fresh.update({f"update check {k}": v for k, v in update_stale_after_publish(seed, nginx).items()})
        across = stale_across_containers(seed, nginx, group)
        return {
            "origins": origins,
            "origin_requests": dict(sorted(spread.items())),
            "update_checks": figure(check_total, check_cached),
            "update_checks_by_protocol": {k: figure(stats[k]["total"], stats[k]["cached"]) for k in check_kinds},
            "distinct_update_check_urls": len({cache_key_of(uri) for *_, uri in log if protocol_of(uri)}),
            "distinct_update_check_urls_by_protocol": cache_keys(log),
            "rolling_release": {"version": ROLLING_VERSION, "rollout": ROLLING_PERCENT},
            "page_views": figure(stats["page"]["total"], stats["page"]["cached"]),
            "distinct_pages": len({url for _, url, _ in pages}),
            "artifact_bytes": {
                "total": artifact["bytes_sent"],
                "from_cache": artifact["bytes_sent"] - artifact["origin_bytes"],
                "offload_pct": round(100 * (1 - artifact["origin_bytes"] / artifact["bytes_sent"]), 2)
                if artifact["bytes_sent"]
                else 0.0,
                "requests": artifact["total"],
                "partial_206": artifact["status_206"],
                "client_bytes_read": client_bytes,
            },
            "statuses": {k: {s: n for s, n in v.items() if s.startswith("status_")} for k, v in stats.items()},
            "checked_after_invalidation": len(fresh),
            "stale_after_invalidation": sum(not ok for ok in fresh.values()),
            "fresh_after_invalidation": fresh,
            "invalidations": purger.invalidations,
            "across_containers": across,
            "checked_across_containers": across["reads_per_check"] * len(across["stale"]),
            "stale_across_containers": sum(across["stale"].values()),
        }
    finally:
        for server in (nginx, group, purger):
            if server is not None:
                server.stop()
