"""Writes of the search index: bring one post's postings and counts in line with the post, exactly once.

The posts Stream calls `search_index_update` with the ids of changed posts. Each post is indexed
from its current state (read strongly consistent), not from the record's image, so a redelivered
or late record converges on the same index and changes nothing the second time. Lambda runs one
batch per shard at a time and a post's records share a shard, so one post is never indexed by two
invocations at once; the counts stay exact even if it were (each change of a count is one
transaction with the post's `counted` set, guarded by it).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import operator
import time

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from blog.models import PUBLISHED, Post
from blog.search.models import SearchDocument, SearchPosting, SearchTerm, posting_rank, term_prefix
from blog.search.text import DOCUMENT_COUNT, html_text, post_term_weights
from mysite import cache, cdn
from mysite.dynamo import chunks

logger = logging.getLogger(__name__)

COUNT_CHUNK = 40  # terms per counting transaction (each also updates the post's document: <= 100 items)
COUNT_ATTEMPTS = 8
# Every cached search answer at the edge: the API and the pages, whatever their query string.
SEARCH_PATHS = ("/api/blog/search*", "/blog/search/*")


def post_index_weights(post: Post | None) -> dict[str, int]:
    """Term -> weight the index should hold for `post`: nothing unless it is published."""
    if post is None or post.status != PUBLISHED:
        return {}
    weights = post_term_weights(title=post.title, tags=post.tag_labels, body_text=html_text(post.body_html))
    weights[DOCUMENT_COUNT] = 1
    return weights


def posting_keys(post_id: str, weights: dict[str, int]) -> set[str]:
    """The postings a post with these weights has, as listed in its SearchDocument."""
    return {f"{term} {posting_rank(weight, post_id)}" for term, weight in weights.items() if term != DOCUMENT_COUNT}


def index_digest(keys: set[str], weights: dict[str, int]) -> str:
    """What a completed update of a post records: its postings, and whether it counts."""
    raw = "\n".join(sorted(keys)) + f"\n{bool(weights)}"
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _document(post_id: str) -> SearchDocument | None:
    try:
        return SearchDocument.get(post_id, consistent_read=True)
    except DoesNotExist:
        return None


def _current_post(post_id: str) -> Post | None:
    try:
        return Post.get(post_id, consistent_read=True)
    except DoesNotExist:
        return None


def search_index_post(*, post_id: str) -> bool:
    """Bring the index in line with the post as it is now; True if the index changed. Safe to repeat."""
    weights = post_index_weights(_current_post(post_id))
    keys = posting_keys(post_id, weights)
    digest = index_digest(keys, weights)
    document = _document(post_id)
    if document is None and not weights:
        return False  # a draft that was never public: nothing to do, nothing written
    if document is not None and document.digest == digest:
        return False
    existing = set(document.postings or ()) if document else set()
    # Only a completed update (digest set) says that the listed postings were all written.
    to_put = keys - existing if document is not None and document.digest else keys
    to_delete = existing - keys
    actions = [SearchDocument.digest.remove()]
    if to_put:
        actions.append(SearchDocument.postings.add(to_put))
    SearchDocument(post_id).update(actions=actions)  # listed before written: a crash leaves no orphan
    with SearchPosting.batch_write() as batch:
        for key in to_put:
            term, rank = key.split(" ", 1)
            batch.save(SearchPosting(term, rank, post_id=post_id, weight=weights[term]))
        for key in to_delete:
            term, rank = key.split(" ", 1)
            batch.delete(SearchPosting(term, rank))
    if to_delete:
        SearchDocument(post_id).update(actions=[SearchDocument.postings.delete(to_delete)])
    _count(post_id, set(weights))
    SearchDocument(post_id).update(actions=[SearchDocument.digest.set(digest)])
    return True


def _count(post_id: str, wanted: set[str]) -> None:
    """Make the post count in `post_count` of exactly the terms in `wanted`, each change once."""
    for attempt in range(COUNT_ATTEMPTS):
        document = _document(post_id)
        counted = set(document.counted or ()) if document else set()
        try:
            for chunk in chunks(sorted(wanted - counted), COUNT_CHUNK):
                _count_chunk(post_id, chunk, step=1)
            for chunk in chunks(sorted(counted - wanted), COUNT_CHUNK):
                _count_chunk(post_id, chunk, step=-1)
            return
        except TransactWriteError:
            # Another writer of the same terms at this moment (TransactionConflict), or a count already
            # applied (the condition): read the document again and do what is left.
            if attempt == COUNT_ATTEMPTS - 1:
                raise
            time.sleep(0.02 * 2**attempt)


def _count_chunk(post_id: str, terms: list[str], *, step: int) -> None:
    member = SearchDocument.counted
    if step > 0:
        condition = functools.reduce(operator.and_, [~member.contains(term) for term in terms])
        action = member.add(set(terms))
    else:
        condition = functools.reduce(operator.and_, [member.contains(term) for term in terms])
        action = member.delete(set(terms))
    with TransactWrite(connection=SearchDocument._get_connection().connection) as transaction:
        for term in terms:
            transaction.update(SearchTerm(term_prefix(term), term), actions=[SearchTerm.post_count.add(step)])
        transaction.update(SearchDocument(post_id), actions=[action], condition=condition)


def search_index_update(*, post_ids: list[str]) -> tuple[int, int | None]:
    """Index these posts in order; (how many changed the index, the position of the first failure or None).

    After any change, the blog's read-cache stamp is replaced and the edge's cached search answers are
    invalidated (one request), so the next search on any container sees the new index.
    """
    changed, failed_at = 0, None
    done: set[str] = set()
    for position, post_id in enumerate(post_ids):
        if post_id in done:  # the post's current state is indexed already
            continue
        try:
            changed += search_index_post(post_id=post_id)
        except Exception:
            logger.exception("Indexing post %s for search failed", post_id)
            failed_at = position
            break
        done.add(post_id)
    if changed:
        cache.stamp_bump_now(cache.BLOG_SCOPE)
        cdn.invalidate_paths(SEARCH_PATHS)
    return changed, failed_at
