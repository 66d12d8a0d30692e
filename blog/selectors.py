"""Reads of posts, tags, archive months and images (Query/GetItem/BatchGetItem only)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from blog.models import IMAGE_READY, PUBLISHED, STATUSES, Image, Post, SlugClaim, TaggedPost, Term
from mysite import cache
from mysite.dynamo import decode_cursor, encode_cursor
from mysite.errors import InvalidInput, NotFound

SITEMAP_MAX_URLS = 45_000  # the sitemap protocol allows 50,000 per file


class PostNotFound(NotFound):
    code, message = "post_not_found", "There is no such post."


class ImageNotFound(NotFound):
    code, message = "image_not_found", "There is no such image."


def _page(results, limit: int) -> tuple[list, str | None]:
    items = list(results)
    return items[:limit], encode_cursor(results.last_evaluated_key)


# --- Authors' reads -------------------------------------------------------------------


def post_get(*, post_id: str) -> Post:
    """A post of any status (the authors' view); PostNotFound if missing."""
    try:
        return Post.get(post_id, consistent_read=True)
    except DoesNotExist:
        raise PostNotFound() from None


def post_list(
    *, status: str | None = None, search: str = "", limit: int = 20, cursor: str | None = None
) -> tuple[list[Post], str | None]:
    """Posts most recently edited first, optionally of one status and with `search` in the title."""
    if status and status not in STATUSES:
        raise InvalidInput(f"Status must be one of {', '.join(STATUSES)}.", field="status")
    search = search.strip().lower()
    kwargs = {
        "scan_index_forward": False,
        "limit": limit,
        "last_evaluated_key": decode_cursor(cursor),
        "filter_condition": Post.title_search.contains(search) if search else None,
    }
    results = Post.by_status.query(status, **kwargs) if status else Post.everything.query("post", **kwargs)
    return _page(results, limit)


def image_get(*, image_id: str) -> Image:
    try:
        return Image.get(image_id, consistent_read=True)
    except DoesNotExist:
        raise ImageNotFound() from None


def image_renditions(image_ids: set[str]) -> dict[str, list[dict]]:
    """The renditions of those of `image_ids` that are ready, by id (one BatchGetItem)."""
    if not image_ids:
        return {}
    return {
        image.image_id: image.renditions
        for image in Image.batch_get(sorted(image_ids))
        if image.status == IMAGE_READY and image.renditions
    }


# --- Public reads -----------------------------------------------------------------------
# Only the sparse indexes are read here: a draft or a scheduled post is never in them.


def _public(name: str, params: dict, compute):
    """A public read, kept until the next change readers can see (on any container)."""
    return cache.cached(scope=cache.BLOG_SCOPE, name=name, params=params, compute=compute)


def post_get_published(*, slug: str) -> Post:
    """A published post by slug, through the read cache; PostNotFound otherwise."""

    def load() -> Post | None:
        try:
            claim = SlugClaim.get(slug)
            post = Post.get(claim.post_id)
        except DoesNotExist:
            return None
        return post if post.status == PUBLISHED else None

    post = _public("post", {"slug": slug}, load)
    if post is None:
        raise PostNotFound()
    return post


def _cached_page(name: str, query, limit: int, cursor: str | None) -> tuple[list[Post], str | None]:
    return _public(
        f"list:{name}",
        {"limit": limit, "cursor": cursor or ""},
        lambda: _page(query(limit=limit, last_evaluated_key=decode_cursor(cursor), scan_index_forward=False), limit),
    )


def published_posts(*, limit: int = 10, cursor: str | None = None) -> tuple[list[Post], str | None]:
    """Published posts, newest first."""
    return _cached_page("home", lambda **kw: Post.published.query("post", **kw), limit, cursor)


def published_posts_by_author(
    *, author_sub: str, limit: int = 10, cursor: str | None = None
) -> tuple[list[Post], str | None]:
    return _cached_page(f"author:{author_sub}", lambda **kw: Post.by_author.query(author_sub, **kw), limit, cursor)


def published_posts_in_month(
    *, year: int, month: int, limit: int = 20, cursor: str | None = None
) -> tuple[list[Post], str | None]:
    name = f"{year:04d}-{month:02d}"
    return _cached_page(f"month:{name}", lambda **kw: Post.by_month.query(name, **kw), limit, cursor)


def published_posts_tagged(*, tag: str, limit: int = 10, cursor: str | None = None) -> tuple[list[Post], str | None]:
    """Published posts with `tag`, newest first (tag listing, then one BatchGetItem)."""

    def query(**kwargs):
        return TaggedPostsQuery(TaggedPost.query(tag, **kwargs))

    return _cached_page(f"tag:{tag}", query, limit, cursor)


class TaggedPostsQuery:
    """A TaggedPost result iterator that yields the posts themselves, in listing order."""

    def __init__(self, results):
        self.results = results

    def __iter__(self):
        ids = [entry.post_id for entry in self.results]
        posts = {post.post_id: post for post in Post.batch_get(ids)} if ids else {}
        return iter([posts[i] for i in ids if i in posts and posts[i].status == PUBLISHED])

    @property
    def last_evaluated_key(self):
        return self.results.last_evaluated_key


def terms(*, kind: str) -> list[Term]:
    """Tags (`tag`) or archive months (`month`) that hold at least one published post."""
    return _public("terms", {"kind": kind}, lambda: list(Term.query(kind, filter_condition=Term.post_count > 0)))


def sitemap_posts() -> list[Post]:
    """Every published post, newest first, bounded to one sitemap file."""
    return list(Post.published.query("post", scan_index_forward=False, limit=SITEMAP_MAX_URLS, page_size=1000))


def last_modified(posts: list[Post]) -> datetime | None:
    """The newest change among `posts`, for Last-Modified."""
    return max((post.updated_at for post in posts), default=None)
