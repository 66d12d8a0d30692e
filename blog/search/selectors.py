"""Reads of the search index: ranked, highlighted results for a reader's query.

Every query costs a bounded number of requests, whatever the size of the blog: one BatchGetItem
(the query words' post counts and the number of posts), at most one vocabulary Query per word
being typed (prefix matching), one postings Query per term read (at most
`MAX_QUERY_WORDS + MAX_EXPANSIONS` of them, `POSTINGS_PER_TERM` items each, strongest first),
then one BatchGetItem for the posts shown. Requests of one step run side by side on a small
per-process thread pool (boto3 clients are thread-safe); answers go through the blog's read
cache, so a repeated query costs the cache's one GetItem until the blog or its index changes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.urls import reverse

from blog.models import PUBLISHED, Post
from blog.search.models import SearchPosting, SearchTerm, term_prefix
from blog.search.snippets import SNIPPET_WORDS, highlight
from blog.search.text import DOCUMENT_COUNT, STOPWORDS, html_text, normalize, stem, words
from mysite import aws, cache

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
MAX_RESULTS = 20
MAX_EXPANSIONS = 5  # terms a word being typed may stand for
VOCABULARY_PER_PREFIX = 200  # vocabulary entries read for one prefix (one page)
POSTINGS_PER_TERM = 100  # the strongest postings read per term
MIN_PREFIX = 2
EXPANSION_FACTOR = 0.7  # a completion of the word being typed counts less than the word itself
SPARE_RESULTS = 5  # read a few more posts than shown, in case the index has not caught up with one

# Per process, shared by its threads; each task is one DynamoDB request on a thread-safe boto3 client.
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="blog-search")


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: its stem and, for the word still being typed, the prefix it completes."""

    stem: str
    prefix: str | None = None


def query_parse(query: str) -> list[QueryWord]:
    """The words to look up: stop words dropped, at most MAX_QUERY_WORDS; the last one is a prefix while typed."""
    text = normalize(query)
    found = words(text)
    typing = bool(found) and text.endswith(found[-1])
    parsed: list[QueryWord] = []
    for position, word in enumerate(found):
        typed = typing and position == len(found) - 1 and len(word) >= MIN_PREFIX
        if word in STOPWORDS and not typed:
            continue
        word_stem = stem(word)
        prefix = None
        if typed:
            shared = _common_prefix(word, word_stem)  # "happy" stems to "happi": complete "happ"
            prefix = shared if len(shared) >= MIN_PREFIX else word
        parsed_word = QueryWord(word_stem, prefix)
        if parsed_word not in parsed:
            parsed.append(parsed_word)
    return parsed[:MAX_QUERY_WORDS]


def _common_prefix(a: str, b: str) -> str:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return a[:length]


def search_posts(*, query: str, limit: int = 10) -> list[dict]:
    """Published posts matching `query`, best first, with highlighted title and snippet."""
    parsed = query_parse(query)
    if not parsed:
        return []
    limit = max(1, min(limit, MAX_RESULTS))
    params = {"words": [[w.stem, w.prefix] for w in parsed], "limit": limit}
    return cache.cached(scope=cache.BLOG_SCOPE, name="search", params=params, compute=lambda: _search(parsed, limit))


# --- The steps -----------------------------------------------------------------------------


def _term_counts(terms: set[str]) -> dict[str, int]:
    client = aws.client("dynamodb")
    table = SearchTerm.Meta.table_name
    keys = [{"prefix": {"S": term_prefix(t)}, "term": {"S": t}} for t in sorted(terms)]
    counts: dict[str, int] = {}
    request = {
        table: {"Keys": keys, "ProjectionExpression": "#t, post_count", "ExpressionAttributeNames": {"#t": "term"}}
    }
    for _ in range(5):  # unprocessed keys come back only under throttling; a few rounds at most
        answer = client.batch_get_item(RequestItems=request)
        for item in answer["Responses"].get(table, []):
            counts[item["term"]["S"]] = int(item.get("post_count", {}).get("N", "0"))
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            break
    return counts


def _completions(prefix: str) -> dict[str, int]:
    """Terms starting with `prefix` and their post counts (one page of the prefix's partition)."""
    answer = aws.client("dynamodb").query(
        TableName=SearchTerm.Meta.table_name,
        KeyConditionExpression="prefix = :p AND begins_with(#t, :t)",
        ExpressionAttributeNames={"#t": "term"},
        ExpressionAttributeValues={":p": {"S": term_prefix(prefix)}, ":t": {"S": prefix}},
        Limit=VOCABULARY_PER_PREFIX,
    )
    return {item["term"]["S"]: int(item.get("post_count", {}).get("N", "0")) for item in answer["Items"]}


def _postings(term: str) -> dict[str, int]:
    """Post id -> weight of the term's strongest postings."""
    answer = aws.client("dynamodb").query(
        TableName=SearchPosting.Meta.table_name,
        KeyConditionExpression="#t = :t",
        ExpressionAttributeNames={"#t": "term"},
        ExpressionAttributeValues={":t": {"S": term}},
        ProjectionExpression="post_id, weight",
        Limit=POSTINGS_PER_TERM,
    )
    return {item["post_id"]["S"]: int(item["weight"]["N"]) for item in answer["Items"]}


def _expansions(parsed: list[QueryWord]) -> tuple[list[dict[str, float]], dict[str, int]]:
    """Per query word, the terms it stands for with their factor; and every term's post count."""
    counts_future = _pool.submit(_term_counts, {w.stem for w in parsed} | {DOCUMENT_COUNT})
    completion_futures = {w.prefix: _pool.submit(_completions, w.prefix) for w in parsed if w.prefix}
    counts = counts_future.result()
    expansions: list[dict[str, float]] = []
    for word in parsed:
        chosen: dict[str, float] = {}
        if counts.get(word.stem, 0) > 0:
            chosen[word.stem] = 1.0
        if word.prefix:
            found = {t: c for t, c in completion_futures[word.prefix].result().items() if c > 0}
            counts.update(found)
            for term in sorted(found, key=lambda t: (-found[t], t))[:MAX_EXPANSIONS]:
                chosen.setdefault(term, 1.0 if term == word.stem else EXPANSION_FACTOR)
        expansions.append(chosen)
    return expansions, counts


def _ranked(parsed: list[QueryWord]) -> tuple[list[tuple[str, float]], set[str]]:
    """(post id, score) best first, and the terms that were read."""
    expansions, counts = _expansions(parsed)
    documents = counts.get(DOCUMENT_COUNT, 0)
    terms = {term for chosen in expansions for term in chosen}
    if not documents or not terms:
        return [], terms
    postings = dict(zip(sorted(terms), _pool.map(_postings, sorted(terms)), strict=True))
    totals: dict[str, float] = defaultdict(float)
    matched: dict[str, int] = defaultdict(int)
    for chosen in expansions:
        best: dict[str, float] = {}
        for term, factor in chosen.items():
            frequency = counts.get(term, 0)
            idf = math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
            for post_id, weight in postings[term].items():
                best[post_id] = max(best.get(post_id, 0.0), idf * weight * factor)
        for post_id, score in best.items():
            totals[post_id] += score
            matched[post_id] += 1
    # Posts holding more of the words come first (every word, then all but one ...), by score within.
    ranked = sorted(totals.items(), key=lambda item: (-matched[item[0]], -item[1], item[0]))
    return ranked, terms


_RESULT_ATTRIBUTES = ["post_id", "title", "slug", "status", "body_html", "tags", "tag_names", "author_name"]


def _search(parsed: list[QueryWord], limit: int) -> list[dict]:
    ranked, terms = _ranked(parsed)
    top = ranked[: limit + SPARE_RESULTS]
    if not top:
        return []
    posts = {
        p.post_id: p
        for p in Post.batch_get([i for i, _ in top], attributes_to_get=[*_RESULT_ATTRIBUTES, "published_at"])
    }
    prefixes = tuple(w.prefix for w in parsed if w.prefix)

    def matches(word: str) -> bool:
        return stem(word) in terms or (word not in STOPWORDS and word.startswith(prefixes))

    results = []
    for post_id, score in top:
        post = posts.get(post_id)
        if post is None or post.status != PUBLISHED:  # drafts never show, even before the index catches up
            continue
        results.append(
            {
                "slug": post.slug,
                "url": reverse("blog:post", kwargs={"slug": post.slug}),
                "title": post.title,
                "title_html": highlight(post.title, matches),
                "snippet_html": highlight(html_text(post.body_html), matches, window=SNIPPET_WORDS),
                "tags": list(post.tags),
                "tag_names": post.tag_labels,
                "author_name": post.author_name,
                "published_at": post.published_at,
                "score": round(score / 10_000, 4),
            }
        )
        if len(results) == limit:
            break
    return results
