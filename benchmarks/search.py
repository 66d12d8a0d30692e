"""Section 7: reader search. Query latency and reads on a big blog, index cost per publish, the S3-index alternative.

A synthetic blog, grown to each of `--search-posts` published posts (the history sizes by default),
is seeded straight into DynamoDB Local with BatchWriteItem: the posts, and the index the Stream
handler would have built for them (postings, vocabulary counts, one document per post), computed
by the index's own code. At each size:

- **query**: the same distinct queries (one word, two words, a word being typed) through the API
  in-process, each computed (none repeats within a size, and the read cache is emptied between
  sizes), and a repeated set (warm); p50/p95 latency, DynamoDB calls and read capacity per query.

Then, on the largest blog:

- **publish**: posts of typical length (600 words) created and published through the services,
  then indexed as the handler does; and an edit of a few words. Time and writes per update.
- **lunr** (if the `lunr` package is installed; it is a development requirement): the alternative
  of one lunr.py index in S3 behind the CDN, over the same posts: build time (a full rebuild per
  publish), serialised and gzipped size (what every container would download and parse after each
  change), load time, and query time in memory.
"""

from __future__ import annotations

import gzip
import json
import random
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.core.wsgi import get_wsgi_application

from benchmarks.blog_history import published_post
from benchmarks.botocalls import record
from benchmarks.wsgi import call

_SYLLABLE_TEXT = "ka lo mi ser ver tion pa ra do ne ti mo lu be sa vi ko re na di ga po fe li to mu ba se ro ni"
SYLLABLES = _SYLLABLE_TEXT.split()
VOCABULARY_SIZE = 12_000
TAG_WORDS = 300
BODY_WORDS = 60
QUERIES = 200
WARM_QUERIES = 50
PUBLISHES = 15
GOAL_P50_MS = 50
GOAL_POSTS = 10_000  # the blog size the p50 goal is stated for; docs/blog-search.md keeps a run that reached it
WRITE_ROUNDS = 10  # BatchWriteItem rounds for one batch's unprocessed items (throttling only)


def _vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _zipf_weights(count: int) -> list[float]:
    return [1 / (rank + 1) ** 1.05 for rank in range(count)]


class Corpus:
    """Deterministic synthetic posts: titles, tags and bodies drawn Zipf-like from one vocabulary."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.words = _vocabulary(self.rng)
        self.rng.shuffle(self.words)
        self.weights = _zipf_weights(len(self.words))
        self.tags = self.words[200 : 200 + TAG_WORDS]

    def text(self, count: int) -> str:
        return " ".join(self.rng.choices(self.words, weights=self.weights, k=count))

    def post(self, number: int, *, body_words: int = BODY_WORDS) -> dict:
        return {
            "title": self.text(5).capitalize(),
            "tags": self.rng.sample(self.tags, 2),
            "body": self.text(body_words),
            "number": number,
        }


def _seed(
    corpus: Corpus, numbers: range, author_sub: str, counts: dict[str, int], *, newest: datetime
) -> tuple[list[dict], float]:
    """Posts `numbers` and their index items, written with BatchWriteItem from 8 threads; the docs and seconds.

    `counts` (term -> posts holding it) carries the vocabulary's counts from one call to the next: the terms
    these posts hold are written with their new totals, as the posts' indexing would have left them.
    """
    from blog.models import Post
    from blog.search.models import SearchDocument, SearchPosting, SearchTerm, term_prefix
    from blog.search.services import index_digest, posting_keys
    from blog.search.text import DOCUMENT_COUNT, post_term_weights
    from mysite import aws

    started = time.monotonic()
    client = aws.client("dynamodb")
    docs, requests, touched = [], [], set()
    for number in numbers:
        doc = corpus.post(number)
        post_id = uuid.uuid4().hex
        published = newest - timedelta(minutes=numbers.stop - number)
        post = published_post(
            post_id,
            title=doc["title"],
            slug=f"search-bench-{number}-{post_id[:6]}",
            body=doc["body"],
            excerpt=doc["body"][:200],
            tags=doc["tags"],
            author_sub=author_sub,
            author_name="Bench Author",
            published_at=published,
        )
        requests.append((Post.Meta.table_name, post.serialize()))
        weights = post_term_weights(title=doc["title"], tags=doc["tags"], body_text=doc["body"])
        weights[DOCUMENT_COUNT] = 1
        keys = posting_keys(post_id, weights)
        for key in keys:
            term, rank = key.split(" ", 1)
            item = SearchPosting(term, rank, post_id=post_id, weight=weights[term])
            requests.append((SearchPosting.Meta.table_name, item.serialize()))
        document = SearchDocument(post_id, postings=keys, counted=set(weights), digest=index_digest(keys, weights))
        requests.append((SearchDocument.Meta.table_name, document.serialize()))
        for term in weights:
            counts[term] = counts.get(term, 0) + 1
        touched.update(weights)
        docs.append({**doc, "post_id": post_id})
    for term in touched:
        item = SearchTerm(term_prefix(term), term, post_count=counts[term])
        requests.append((SearchTerm.Meta.table_name, item.serialize()))

    def write(batch: list[tuple[str, dict]]) -> None:
        items: dict[str, list] = {}
        for table, item in batch:
            items.setdefault(table, []).append({"PutRequest": {"Item": item}})
        for _ in range(WRITE_ROUNDS):
            items = client.batch_write_item(RequestItems=items).get("UnprocessedItems") or {}
            if not items:
                return
        raise RuntimeError(f"BatchWriteItem left items unprocessed after {WRITE_ROUNDS} rounds")

    batches = [requests[i : i + 25] for i in range(0, len(requests), 25)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, batches))
    return docs, time.monotonic() - started


def _queries(corpus: Corpus, count: int) -> list[str]:
    rng = random.Random(11)
    common = corpus.words[:3000]  # words that occur: the head of the distribution
    queries: set[str] = set()
    while len(queries) < count:
        kind = len(queries) % 3
        if kind == 0:
            queries.add(rng.choice(common) + " ")
        elif kind == 1:
            queries.add(f"{rng.choice(common)} {rng.choice(common)} ")
        else:
            word = rng.choice(common)
            queries.add(f"{rng.choice(common)} {word[: rng.randint(3, max(3, len(word) - 1))]}")
    return sorted(queries)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def _time_queries(app, queries: list[str]) -> dict:
    times, calls, capacity, hits = [], [], [], 0
    for query in queries:
        with record(every_thread=True) as recording:
            started = time.perf_counter()
            answer = call(app, "GET", "/api/blog/search?" + urlencode({"q": query, "limit": 10}))
            times.append((time.perf_counter() - started) * 1000)
        assert answer.status == 200, answer.body[:300]
        hits += bool(json.loads(answer.body)["results"])
        calls.append(recording.dynamodb_calls)
        capacity.append(recording.capacity_units)
    return {
        "queries": len(queries),
        "with_results": hits,
        "p50_ms": _percentile(times, 0.5),
        "p95_ms": _percentile(times, 0.95),
        "max_calls": max(calls),
        "median_calls": statistics.median(calls),
        "median_rcu": round(statistics.median(capacity), 2),
    }


def _publish_cost(corpus: Corpus, author_sub: str, publishes: int) -> dict:
    from blog import services
    from blog.search.services import search_index_post

    publish_ms, publish_writes, edit_ms, edit_writes, terms = [], [], [], [], []
    for number in range(publishes):
        doc = corpus.post(number, body_words=600)
        post = services.post_create(
            author_sub=author_sub,
            author_name="Bench Author",
            title=doc["title"],
            body_markdown=doc["body"],
            tags=doc["tags"],
        )
        post = services.post_publish(post_id=post.post_id, version=post.version)
        for timings, writes in ((publish_ms, publish_writes), (edit_ms, edit_writes)):
            with record(every_thread=True) as recording:
                started = time.perf_counter()
                assert search_index_post(post_id=post.post_id)
                timings.append((time.perf_counter() - started) * 1000)
            writes.append(sum(1 for c in recording.of("dynamodb") if "Write" in c.operation or "Update" in c.operation))
            if timings is publish_ms:
                from blog.search.models import SearchDocument

                terms.append(len(SearchDocument.get(post.post_id).postings))
                body = doc["body"].split()
                body[10:15] = corpus.text(5).split()  # an edit of five words
                post = services.post_update(
                    post_id=post.post_id,
                    version=post.version,
                    title=doc["title"],
                    body_markdown=" ".join(body),
                    tags=doc["tags"],
                )
    return {
        "posts": publishes,
        "body_words": 600,
        "median_terms": statistics.median(terms),
        "publish_median_ms": round(statistics.median(publish_ms), 1),
        "publish_median_writes": statistics.median(publish_writes),
        "edit_median_ms": round(statistics.median(edit_ms), 1),
        "edit_median_writes": statistics.median(edit_writes),
    }


def _lunr(docs: list[dict], queries: list[str]) -> dict | None:
    try:
        from lunr import lunr
        from lunr.index import Index
    except ImportError:
        return None
    started = time.monotonic()
    index = lunr(
        ref="id",
        fields=[{"field_name": "title", "boost": 10}, {"field_name": "tags", "boost": 8}, "body"],
        documents=[
            {"id": d["post_id"], "title": d["title"], "tags": " ".join(d["tags"]), "body": d["body"]} for d in docs
        ],
    )
    build_s = time.monotonic() - started
    serialised = json.dumps(index.serialize()).encode()
    started = time.monotonic()
    loaded = Index.load(json.loads(serialised))
    load_s = time.monotonic() - started
    times = []
    for query in queries[:50]:
        words = query.split()
        text = " ".join([*words[:-1], words[-1] + ("" if query.endswith(" ") else "*")])
        started = time.perf_counter()
        loaded.search(text)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "build_s": round(build_s, 1),
        "json_mb": round(len(serialised) / 2**20, 1),
        "gzip_mb": round(len(gzip.compress(serialised, 6)) / 2**20, 1),
        "load_s": round(load_s, 1),
        "query_p50_ms": _percentile(times, 0.5),
    }


def measure(data, *, sizes: tuple[int, ...] = (100, 1000, 10_000)) -> dict:
    """A blog grown to each size with its index; at each, the same queries timed; then index updates and lunr."""
    from django.core.cache import cache

    from mysite import cache as read_cache

    sizes = tuple(sorted(set(sizes)))
    corpus = Corpus()
    app = get_wsgi_application()
    # A small blog (a test of this section) gets fewer queries and publishes; every size gets the same ones.
    queries = _queries(corpus, min(QUERIES, max(12, sizes[-1])))
    warm_queries = queries[: min(WARM_QUERIES, len(queries))]
    docs: list[dict] = []
    counts: dict[str, int] = {}
    newest = datetime.now(UTC)
    by_size: dict[str, dict] = {}
    for size in sizes:
        added, seed_s = _seed(corpus, range(len(docs), size), data.author_sub, counts, newest=newest)
        docs += added
        print(f"  {size} posts and their index seeded ({seed_s:.0f} s for {len(added)})", flush=True)
        read_cache.stamp_bump_now(read_cache.BLOG_SCOPE)  # the index changed: no answer of the last size holds
        cache.clear()
        cold = _time_queries(app, queries)
        _time_queries(app, warm_queries)  # fills the read cache
        warm = _time_queries(app, warm_queries)
        by_size[str(size)] = {"posts": size, "seed_s": round(seed_s, 1), "cold": cold, "warm": warm}
        print(f"  queries on {size} posts: p50 {cold['p50_ms']} ms computed, {warm['p50_ms']} ms cached", flush=True)
    largest = by_size[str(sizes[-1])]
    publish = _publish_cost(corpus, data.author_sub, min(PUBLISHES, max(2, sizes[-1] // 10)))
    print(f"  index update per publish: {publish['publish_median_ms']} ms", flush=True)
    started = time.monotonic()
    lunr = _lunr(docs, queries)
    print(f"  lunr alternative: {time.monotonic() - started:.0f} s", flush=True)
    return {
        "posts": sizes[-1],
        "sizes": list(sizes),
        "seed_s": round(sum(entry["seed_s"] for entry in by_size.values()), 1),
        "goal_p50_ms": GOAL_P50_MS,
        "cold": largest["cold"],
        "warm": largest["warm"],
        "by_size": by_size,
        "publish": publish,
        "lunr": lunr,
    }


DOC = Path(__file__).resolve().parent.parent / "docs" / "blog-search.md"
_MARKERS = ("<!-- search-bench -->", "<!-- /search-bench -->")


def write_doc(results: dict, *, date: str, machine: str) -> None:
    """Rewrite the bench's section of docs/blog-search.md with this run's figures."""
    from benchmarks.report import rows, table

    search = results["search"]
    lines = rows({"search": search})
    by_size = search.get("by_size") or {str(search["posts"]): search}
    sizes = ", ".join(f"{int(size):,}" for size in by_size)
    with_results = ", ".join(f"{entry['cold']['with_results']} on {int(size):,}" for size, entry in by_size.items())
    body = "\n".join(
        [
            _MARKERS[0],
            f"Run of {date} on {machine}: a blog grown to {sizes} posts, seeded in {search['seed_s']} s; at each "
            f"size the same {search['cold']['queries']} distinct queries (with results: {with_results}) and "
            f"{search['warm']['queries']} repeated.",
            "",
            table(lines),
            _MARKERS[1],
        ]
    )
    text = DOC.read_text()
    start, end = text.index(_MARKERS[0]), text.index(_MARKERS[1]) + len(_MARKERS[1])
    DOC.write_text(text[:start] + body + text[end:])
