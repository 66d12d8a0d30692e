"""Section 7: reader search. Query latency and reads on a big blog, index cost per publish, the S3-index alternative.

A synthetic blog of `--search-posts` published posts (10,000 by default; a few minutes here) is
seeded straight into DynamoDB Local with BatchWriteItem: the posts, and the index the Stream
handler would have built for them (postings, vocabulary counts, one document per post), computed
by the index's own code. Then:

- **query**: distinct queries (one word, two words, a word being typed) through the API in-process,
  each computed (none repeats, so no read-cache entry answers), and a repeated set (warm);
  p50/p95 latency, DynamoDB calls and read capacity per query.
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


def _seed(corpus: Corpus, count: int, author_sub: str) -> tuple[list[dict], float]:
    """Posts and their index items, written with BatchWriteItem from 8 threads; returns the docs and seconds."""
    from blog.models import PUBLISHED, Post
    from blog.search.models import SearchDocument, SearchPosting, SearchTerm, term_prefix
    from blog.search.services import index_digest, posting_keys
    from blog.search.text import DOCUMENT_COUNT, post_term_weights
    from mysite import aws

    started = time.monotonic()
    client = aws.client("dynamodb")
    docs, requests, counts = [], [], {}
    now = datetime.now(UTC)
    for number in range(count):
        doc = corpus.post(number)
        post_id = uuid.uuid4().hex
        published = now - timedelta(minutes=count - number)
        post = Post(
            post_id,
            title=doc["title"],
            title_search=doc["title"].lower(),
            slug=f"search-bench-{number}-{post_id[:6]}",
            body_markdown=doc["body"],
            body_html=f"<p>{doc['body']}</p>",
            excerpt=doc["body"][:200],
            tags=doc["tags"],
            tag_names=doc["tags"],
            author_sub=author_sub,
            author_name="Bench Author",
            status=PUBLISHED,
            published_at=published,
            updated_at=published,
            feed="post",
            author_feed=author_sub,
            published_month=published.strftime("%Y-%m"),
        )
        post.version = 1
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
        docs.append({**doc, "post_id": post_id})
    for term, number in counts.items():
        item = SearchTerm(term_prefix(term), term, post_count=number)
        requests.append((SearchTerm.Meta.table_name, item.serialize()))

    def write(batch: list[tuple[str, dict]]) -> None:
        items: dict[str, list] = {}
        for table, item in batch:
            items.setdefault(table, []).append({"PutRequest": {"Item": item}})
        while items:
            items = client.batch_write_item(RequestItems=items).get("UnprocessedItems") or {}

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


def measure(data, *, posts: int = 10_000) -> dict:
    """Seed `posts` posts with their index, then time queries, index updates and the lunr alternative."""
    from django.core.cache import cache

    corpus = Corpus()
    docs, seed_s = _seed(corpus, posts, data.author_sub)
    app = get_wsgi_application()
    # A small blog (a test of this section) gets fewer queries and publishes.
    queries = _queries(corpus, min(QUERIES, max(12, posts)))
    cache.clear()
    cold = _time_queries(app, queries)
    warm_queries = queries[: min(WARM_QUERIES, len(queries))]
    _time_queries(app, warm_queries)  # fills the read cache
    warm = _time_queries(app, warm_queries)
    results = {
        "posts": posts,
        "seed_s": round(seed_s, 1),
        "goal_p50_ms": GOAL_P50_MS,
        "cold": cold,
        "warm": warm,
        "publish": _publish_cost(corpus, data.author_sub, min(PUBLISHES, max(2, posts // 10))),
        "lunr": _lunr(docs, queries),
    }
    return results


DOC = Path(__file__).resolve().parent.parent / "docs" / "blog-search.md"
_MARKERS = ("<!-- search-bench -->", "<!-- /search-bench -->")


def write_doc(results: dict, *, date: str, machine: str) -> None:
    """Rewrite the bench's section of docs/blog-search.md with this run's figures."""
    from benchmarks.report import rows, table

    search = results["search"]
    lines = rows({"search": search})
    body = "\n".join(
        [
            _MARKERS[0],
            f"Run of {date} on {machine}: {search['posts']} posts seeded in {search['seed_s']} s; "
            f"{search['cold']['queries']} distinct queries ({search['cold']['with_results']} with results), "
            f"{search['warm']['queries']} repeated.",
            "",
            table(lines),
            _MARKERS[1],
        ]
    )
    text = DOC.read_text()
    start, end = text.index(_MARKERS[0]), text.index(_MARKERS[1]) + len(_MARKERS[1])
    DOC.write_text(text[:start] + body + text[end:])
