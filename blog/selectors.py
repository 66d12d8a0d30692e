"""Reads of posts, tags, archive months and images (Query/GetItem/BatchGetItem only)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from blog.errors import ImageNotFound, PostNotFound
from blog.models import IMAGE_READY, PUBLISHED, STATUSES, Image, Post, SlugClaim, TaggedPost, Term
from mysite import cache
from mysite.dynamo import decode_cursor, page
from mysite.errors import InvalidInput

SITEMAP_MAX_URLS = 50_000  # per sitemap file, by the sitemap protocol
SITEMAP_MAX_POSTS = 45_000  # the newest posts; the rest of a file's URLs go to the home, archive and tags
__all__ = ["ImageNotFound", "PostNotFound"]  # their first home; blog.errors holds them
SEARCH_WINDOW = 100  # posts an authors' title search looks through per page


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
    # A search reads SEARCH_WINDOW posts per page and keeps those whose title matches: a filter
    # expression would make PynamoDB read on until `limit` posts matched, through the whole history.
    window = SEARCH_WINDOW if search else limit
    kwargs = {"scan_index_forward": False, "limit": window, "last_evaluated_key": decode_cursor(cursor)}
    results = Post.by_status.query(status, **kwargs) if status else Post.everything.query("post", **kwargs)
    posts, next_cursor = page(results, limit=window)
    return [post for post in posts if search in post.title_search], next_cursor


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
        lambda: page(
            query(limit=limit, last_evaluated_key=decode_cursor(cursor), scan_index_forward=False), limit=limit
        ),
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


ARCHIVE_MONTHS_PAGE = 24  # months per archive page, newest first; older ones through the cursor
TOP_TAGS = 50  # the archive shows the tags with most posts; every tag keeps its own page


def archive_months(*, limit: int = ARCHIVE_MONTHS_PAGE, cursor: str | None = None) -> tuple[list[Term], str | None]:
    """Archive months holding published posts, newest first, one page (reads at most `limit` months)."""

    def load():
        # No filter expression: PynamoDB would page on until `limit` months pass it. A month emptied
        # by unpublishing is dropped here instead, so one page is one request of `limit` items.
        results = Term.query("month", scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor))
        months, next_cursor = page(results, limit=limit)
        return [term for term in months if term.post_count > 0], next_cursor

    return _public("months", {"limit": limit, "cursor": cursor or ""}, load)


def top_tags(*, limit: int = TOP_TAGS) -> list[Term]:
    """The `limit` tags with most published posts, most first (reads at most `limit` tags of the count index)."""

    def load():
        found = Term.by_count.query("tag", scan_index_forward=False, limit=limit)
        return [term for term in found if term.post_count > 0]

    return _public("top-tags", {"limit": limit}, load)


def sitemap_tags(*, limit: int) -> list[Term]:
    """Tags with published posts, most used first, at most `limit` (the sitemap's share of its 50,000 URLs)."""
    return [
        term
        for term in Term.by_count.query("tag", scan_index_forward=False, limit=limit, page_size=1000)
        if term.post_count > 0
    ]


def sitemap_posts() -> list[Post]:
    """Every published post, newest first, bounded to one sitemap file (read once per request)."""
    return cache.request_memo(
        "blog:sitemap-posts",
        lambda: list(Post.published.query("post", scan_index_forward=False, limit=SITEMAP_MAX_POSTS, page_size=1000)),
    )


def last_modified(posts: list[Post]) -> datetime | None:
    """The newest change among `posts`, for Last-Modified."""
    return max((post.updated_at for post in posts), default=None)
