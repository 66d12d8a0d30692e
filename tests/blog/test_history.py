"""What each public blog page reads does not grow with the blog's history (20 posts against 300)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from django.test import Client

from benchmarks.blog_history import history_posts_write
from blog.models import Term
from mysite import cache
from mysite.deploy import botocalls

SMALL, LARGE = 20, 300


def seed_history(count: int) -> dict[str, str]:
    """`count` published posts by one new author, under one new tag, in one past month; their URLs' parts."""
    author_sub, tag = str(uuid.uuid4()), f"history-{uuid.uuid4().hex[:8]}"
    # A past year keeps these posts behind every other test's on the home page and in the feeds.
    start = datetime(random.randint(1100, 1899), random.randint(1, 12), 1, tzinfo=UTC)
    month = f"{start:%Y-%m}"
    published = [(n, start + timedelta(minutes=n), tag) for n in range(count)]
    posts = history_posts_write(author_sub=author_sub, author_name="Hester History", published=published)
    slug = posts[-1].slug
    Term("tag", tag, post_count=count, display_name=tag).save()
    Term("month", month, post_count=count).save()
    cache.stamp_bump_now(cache.BLOG_SCOPE)
    return {"author": author_sub, "tag": tag, "year": str(start.year), "month": str(start.month), "slug": slug}


def cold(client: Client, url: str) -> botocalls.Recording:
    """The DynamoDB work of one GET of `url` right after a blog write (no cached answer can serve it)."""
    cache.stamp_bump_now(cache.BLOG_SCOPE)
    with botocalls.record() as recording:
        response = client.get(url)
    assert response.status_code == 200, url
    return recording


def listing_urls(history: dict[str, str]) -> dict[str, str]:
    return {
        "tag": f"/blog/tag/{history['tag']}/",
        "author": f"/blog/author/{history['author']}/",
        "month": f"/blog/archive/{history['year']}/{history['month']}/",
        "post": f"/blog/{history['slug']}/",
    }


SITE_URLS = {"home": "/blog/", "rss": "/blog/rss.xml", "atom": "/blog/atom.xml", "archive": "/blog/archive/"}


def test_public_pages_read_the_same_for_20_and_300_posts(client):
    small = seed_history(SMALL)
    site_before = {name: cold(client, url) for name, url in SITE_URLS.items()}
    large = seed_history(LARGE)
    site_after = {name: cold(client, url) for name, url in SITE_URLS.items()}
    lists_small = {name: cold(client, url) for name, url in listing_urls(small).items()}
    lists_large = {name: cold(client, url) for name, url in listing_urls(large).items()}

    assert lists_small["tag"].capacity_units > 0  # the emulator reports what each call read
    for name in SITE_URLS:
        assert site_after[name].dynamodb_calls == site_before[name].dynamodb_calls, name
    for name in ("home", "rss", "atom"):
        assert site_after[name].capacity_units <= site_before[name].capacity_units, name
    for name in lists_small:
        assert lists_large[name].dynamodb_calls == lists_small[name].dynamodb_calls, name
        assert lists_large[name].capacity_units <= lists_small[name].capacity_units, name


def test_listings_of_a_long_history_page_through_every_post_once(client):
    history = seed_history(45)
    seen: list[str] = []
    url = f"/blog/tag/{history['tag']}/"
    for _ in range(10):
        page = client.get(url)
        assert page.status_code == 200
        seen += [post.post_id for post in page.context["posts"]]
        cursor = page.context.get("next_cursor")
        if not cursor:
            break
        url = f"/blog/tag/{history['tag']}/?cursor={cursor}"
    assert len(seen) == 45 == len(set(seen))
