"""Published blog posts written straight into the tables, as publishing leaves them: a history to measure against.

Shared by the history benchmark and the test that reads pages against a long history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime


def published_post(
    post_id: str,
    *,
    title: str,
    slug: str,
    body: str,
    excerpt: str,
    tags: list[str],
    author_sub: str,
    author_name: str,
    published_at: datetime,
):
    """A post item as publishing leaves it (version 1, in the feeds and its month), not yet saved."""
    from blog.models import PUBLISHED, Post

    post = Post(
        post_id,
        title=title,
        title_search=title.lower(),
        slug=slug,
        body_markdown=body,
        body_html=f"<p>{body}</p>",
        excerpt=excerpt,
        tags=tags,
        tag_names=tags,
        author_sub=author_sub,
        author_name=author_name,
        status=PUBLISHED,
        created_at=published_at,
        updated_at=published_at,
        published_at=published_at,
        feed="post",
        author_feed=author_sub,
        published_month=published_at.strftime("%Y-%m"),
    )
    post.version = 1
    return post


def history_posts_write(*, author_sub: str, author_name: str, published: Iterable[tuple[int, datetime, str]]) -> list:
    """One published post per `(number, published_at, tag)`, with its slug claim, tag and author listing entries."""
    from blog.models import AuthoredPost, Post, SlugClaim, TaggedPost

    written = []
    with (
        Post.batch_write() as posts,
        SlugClaim.batch_write() as slugs,
        TaggedPost.batch_write() as tagged,
        AuthoredPost.batch_write() as authored,
    ):
        for number, published_at, tag in published:
            post_id, slug = uuid.uuid4().hex, f"history-{number}-{uuid.uuid4().hex[:8]}"
            body = f"Post {number} of the history."
            post = published_post(
                post_id,
                title=f"History post {number}",
                slug=slug,
                body=body,
                excerpt=body,
                tags=[tag],
                author_sub=author_sub,
                author_name=author_name,
                published_at=published_at,
            )
            posts.save(post)
            slugs.save(SlugClaim(slug, post_id=post_id))
            tagged.save(TaggedPost(tag, f"{published_at.isoformat()}#{post_id}", post_id=post_id))
            authored.save(AuthoredPost(author_sub, f"{published_at.isoformat()}#{post_id}", post_id=post_id))
            written.append(post)
    return written
