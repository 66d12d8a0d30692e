"""Tag and month counts, kept by the writes, equal a recount after any sequence of publish, unpublish, retag, delete."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime

import pytest

from blog import selectors, services
from blog.models import PUBLISHED, Post, TaggedPost, Term
from mysite.errors import ApplicationError
from tests.blog.conftest import unique_tag
from tests.conftest import dynamodb_calls

POSTS, STEPS = 6, 60


def _months(rng: random.Random) -> list[datetime]:
    """Three publication dates in three months of a year no other test publishes in."""
    year = rng.randint(1000, 1099)
    return [datetime(year, month, 3, 12, tzinfo=UTC) for month in rng.sample(range(1, 13), 3)]


def _recount(post_ids: list[str], tags: list[str], months: list[datetime]) -> dict:
    """The counts and tag listings the posts themselves call for (consistent reads of each post)."""
    live = []
    for post_id in post_ids:
        try:
            live.append(Post.get(post_id, consistent_read=True))
        except Post.DoesNotExist:
            continue
    published = [post for post in live if post.status == PUBLISHED]
    return {
        "tags": {tag: sum(tag in post.tags for post in published) for tag in tags},
        "months": {
            f"{when:%Y-%m}": sum(post.published_at.strftime("%Y-%m") == f"{when:%Y-%m}" for post in published)
            for when in months
        },
        "listed": {tag: sorted(post.post_id for post in published if tag in post.tags) for tag in tags},
    }


def _stored(tags: list[str], months: list[datetime]) -> dict:
    def count(kind: str, name: str) -> int:
        try:
            return int(Term.get(kind, name, consistent_read=True).post_count)
        except Term.DoesNotExist:
            return 0

    return {
        "tags": {tag: count("tag", tag) for tag in tags},
        "months": {f"{when:%Y-%m}": count("month", f"{when:%Y-%m}") for when in months},
        "listed": {tag: sorted(entry.post_id for entry in TaggedPost.query(tag, consistent_read=True)) for tag in tags},
    }


def _step(rng: random.Random, post: Post, tags: list[str], months: list[datetime]) -> Post | None:
    """One random write to `post` (at the version it was read); None once it is deleted."""
    action = rng.choice(["publish", "publish", "unpublish", "retag", "retag", "edit", "delete"])
    fresh = selectors.post_get(post_id=post.post_id)
    if action == "publish" and fresh.status != PUBLISHED:
        return services.post_publish(post_id=fresh.post_id, version=fresh.version, published_at=rng.choice(months))
    if action == "unpublish" and fresh.status == PUBLISHED:
        return services.post_unpublish(post_id=fresh.post_id, version=fresh.version)
    if action in ("retag", "edit"):
        new_tags = rng.sample(tags, rng.randint(0, 3)) if action == "retag" else list(fresh.tags)
        return services.post_update(
            post_id=fresh.post_id,
            version=fresh.version,
            title=fresh.title,
            body_markdown=f"{fresh.body_markdown} more",
            slug=fresh.slug,
            tags=new_tags,
        )
    if action == "delete" and rng.random() < 0.2:
        services.post_delete(post_id=fresh.post_id, version=fresh.version)
        return None
    return fresh


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_equal_a_recount_after_a_random_sequence_of_writes(make_post, seed):
    rng = random.Random(seed)
    tags, months = [unique_tag() for _ in range(5)], _months(rng)
    posts = [make_post(publish=False, tags=rng.sample(tags, 2)) for _ in range(POSTS)]
    post_ids = [post.post_id for post in posts]
    alive: dict[str, Post] = {post.post_id: post for post in posts}
    published_seen = 0
    for step in range(STEPS):
        if not alive:
            break
        post_id = rng.choice(sorted(alive))
        after = _step(rng, alive[post_id], tags, months)
        if after is None:
            del alive[post_id]
        else:
            alive[post_id] = after
        if step % 5 == 4:
            expected = _recount(post_ids, tags, months)
            assert _stored(tags, months) == expected, f"after step {step}"
            published_seen += sum(expected["months"].values())
    assert _stored(tags, months) == _recount(post_ids, tags, months)
    assert published_seen > 0  # the sequence had published posts to count


def test_counts_stay_right_when_writes_to_the_same_posts_race(make_post):
    rng = random.Random(7)
    tags, months = [unique_tag() for _ in range(3)], _months(rng)
    posts = [make_post(publish=False, tags=tags[:2]) for _ in range(3)]
    errors: list[Exception] = []

    def writer(number: int) -> None:
        local = random.Random(number)
        for _ in range(12):
            post = posts[local.randrange(len(posts))]
            try:
                fresh = selectors.post_get(post_id=post.post_id)
                if fresh.status == PUBLISHED:
                    services.post_unpublish(post_id=fresh.post_id, version=fresh.version)
                else:
                    services.post_publish(
                        post_id=fresh.post_id, version=fresh.version, published_at=local.choice(months)
                    )
            except ApplicationError:
                continue  # a lost race (409) or a state another writer just changed (422): refused whole
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _stored(tags, months) == _recount([post.post_id for post in posts], tags, months)


def test_the_archive_reads_one_page_of_months_and_the_top_tags(make_post, client):
    tag = unique_tag()
    make_post(tags=[tag])
    with dynamodb_calls() as calls:
        page = client.get("/blog/archive/")
    assert page.status_code == 200
    assert calls.count("Query") == 2  # one page of months, one page of the tags-by-count index
    shown = [term.name for term in page.context["tags"]]
    counts = [term.post_count for term in page.context["tags"]]
    assert counts == sorted(counts, reverse=True)
    assert all(count > 0 for count in counts)
    assert len(shown) <= selectors.TOP_TAGS
    assert tag in [term.name for term in selectors.top_tags(limit=1000)]
    months = [term["date"] for term in page.context["months"]]
    assert months == sorted(months, reverse=True)
    assert len(months) <= selectors.ARCHIVE_MONTHS_PAGE
