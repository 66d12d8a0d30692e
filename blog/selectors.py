"""Reads of posts, tags, archive months and images (Query/GetItem/BatchGetItem only)."""

from __future__ import annotations

import difflib
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from blog import permissions
from blog.errors import ImageNotFound, PostGone, PostMoved, PostNotFound, RevisionNotFound
from blog.models import (
    IMAGE_READY,
    PUBLISHED,
    STATUSES,
    AuthoredPost,
    CoauthoredPost,
    Image,
    Post,
    PostRevision,
    SlugClaim,
    TaggedPost,
    Term,
)
from mysite import cache
from mysite.dynamo import decode_cursor, page
from mysite.errors import InvalidInput

SITEMAP_MAX_URLS = 50_000  # per sitemap file, by the sitemap protocol
SITEMAP_MAX_POSTS = 45_000  # the newest posts; the rest of a file's URLs go to the home, archive and tags
SEARCH_WINDOW = 100  # posts an authors' title search looks through per page


# --- Authors' reads -------------------------------------------------------------------


def post_get(*, post_id: str, actor=None) -> Post:
    """A post of any status (the authors' view); PostNotFound if missing, or if `actor` may not see it."""
    try:
        post = Post.get(post_id, consistent_read=True)
    except DoesNotExist:
        raise PostNotFound() from None
    if actor is not None and not permissions.can_view(actor, post):
        raise PostNotFound()
    return post


def post_list(
    *, status: str | None = None, search: str = "", limit: int = 20, cursor: str | None = None, actor=None
) -> tuple[list[Post], str | None]:
    """Posts most recently edited first, optionally of one status and with `search` in the title.

    An `actor` who may not see every post (blog.permissions) gets their own only, from the writer index.
    """
    if status and status not in STATUSES:
        raise InvalidInput(f"Status must be one of {', '.join(STATUSES)}.", field="status")
    search = search.strip().lower()
    own_only = actor is not None and not permissions.sees_every_post(actor)
    # A search (or one writer's posts of one status) reads SEARCH_WINDOW posts per page and keeps those
    # that match: a filter expression would make PynamoDB read on until `limit` posts matched.
    window = SEARCH_WINDOW if search or (own_only and status) else limit
    if own_only:
        index, partition = Post.by_writer, actor.sub
    elif status:
        index, partition = Post.by_status, status
    else:
        index, partition = Post.everything, "post"
    scope = f"blog.posts:{index.Meta.index_name}:{partition}"
    start = decode_cursor(cursor, scope=scope)
    results = index.query(partition, scan_index_forward=False, limit=window, last_evaluated_key=start)
    posts, next_cursor = page(results, limit=window, scope=scope)
    return [
        post for post in posts if search in post.title_search and (not status or post.status == status)
    ], next_cursor


COAUTHORED_PAGE = 50


def posts_coauthored(*, author_sub: str, limit: int = COAUTHORED_PAGE, cursor: str | None = None):
    """The posts (any status) `author_sub` co-writes but is not the primary author of (one Query, one BatchGetItem)."""
    scope = f"blog.coauthored:{author_sub}"
    start = decode_cursor(cursor, scope=scope)
    results = CoauthoredPost.query(author_sub, limit=limit, last_evaluated_key=start, consistent_read=True)
    entries, next_cursor = page(results, limit=limit, scope=scope)
    ids = [entry.post_id for entry in entries]
    posts = {post.post_id: post for post in Post.batch_get(ids)} if ids else {}
    found = [posts[i] for i in ids if i in posts]
    return sorted(found, key=lambda post: post.updated_at, reverse=True), next_cursor


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
    """A published post by slug, through the read cache.

    PostMoved if the slug is one the post had before, PostGone if its post was deleted, PostNotFound otherwise.
    """

    def load() -> tuple[str, Post | str | None]:
        try:
            claim = SlugClaim.get(slug)
        except DoesNotExist:
            return "missing", None
        try:
            post = Post.get(claim.post_id)
        except DoesNotExist:
            return "gone", None
        if post.status != PUBLISHED:
            return "missing", None
        return ("found", post) if post.slug == slug else ("moved", post.slug)

    state, found = _public("post", {"slug": slug}, load)
    if state == "moved":
        raise PostMoved(found)
    if state == "gone":
        raise PostGone()
    if state == "missing":
        raise PostNotFound()
    return found


# --- Revisions --------------------------------------------------------------------------------


def post_revisions(
    *, post_id: str, limit: int = 20, cursor: str | None = None
) -> tuple[list[PostRevision], str | None]:
    """A post's revisions, newest first, one page."""
    scope = f"blog.revisions:{post_id}"
    start = decode_cursor(cursor, scope=scope)
    results = PostRevision.query(
        post_id, scan_index_forward=False, limit=limit, last_evaluated_key=start, consistent_read=True
    )
    return page(results, limit=limit, scope=scope)


def revision_get(*, post_id: str, number: int) -> PostRevision:
    try:
        return PostRevision.get(post_id, number, consistent_read=True)
    except DoesNotExist:
        raise RevisionNotFound() from None


def _revision_lines(revision: PostRevision | None) -> list[str]:
    if revision is None:
        return []
    head = [
        f"Title: {revision.title}",
        f"Slug: {revision.slug}",
        f"Tags: {', '.join(revision.tag_names)}",
        f"Excerpt: {revision.custom_excerpt}",
        f"Status: {revision.status}",
        "",
    ]
    return head + revision.body_markdown.splitlines()


def revision_diff(newer: PostRevision, older: PostRevision | None) -> list[tuple[str, str]]:
    """What `newer` changed against `older`, as (kind, line) with kind `add`, `remove`, `context` or `hunk`."""
    lines = difflib.unified_diff(_revision_lines(older), _revision_lines(newer), lineterm="", n=2)
    diff = []
    for line in list(lines)[2:]:  # past the ---/+++ header
        kind = {"+": "add", "-": "remove", "@": "hunk"}.get(line[:1], "context")
        diff.append((kind, line[1:] if kind != "hunk" else line))
    return diff


def _cached_page(name: str, query, limit: int, cursor: str | None) -> tuple[list[Post], str | None]:
    """One page of a public list of posts named `name` ("tag:python"), which is also its cursor's scope."""
    scope = f"blog.{name}"

    def load():
        results = query(limit=limit, last_evaluated_key=decode_cursor(cursor, scope=scope), scan_index_forward=False)
        return page(results, limit=limit, scope=scope)

    return _public(f"list:{name}", {"limit": limit, "cursor": cursor or ""}, load)


def published_posts(*, limit: int = 10, cursor: str | None = None) -> tuple[list[Post], str | None]:
    """Published posts, newest first."""
    return _cached_page("home", lambda **kw: Post.published.query("post", **kw), limit, cursor)


def published_posts_by_author(
    *, author_sub: str, limit: int = 10, cursor: str | None = None
) -> tuple[list[Post], str | None]:
    """Published posts with `author_sub` among their bylines (co-written too), newest first (listing + BatchGetItem)."""

    def query(**kwargs):
        return TaggedPostsQuery(AuthoredPost.query(author_sub, **kwargs))

    return _cached_page(f"author:{author_sub}", query, limit, cursor)


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
    """A TaggedPost (or AuthoredPost) result iterator that yields the posts themselves, in listing order."""

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
        start = decode_cursor(cursor, scope="blog.months")
        results = Term.query("month", scan_index_forward=False, limit=limit, last_evaluated_key=start)
        months, next_cursor = page(results, limit=limit, scope="blog.months")
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
    # Only what a sitemap entry shows is fetched: the read capacity is the same (the index projects
    # whole posts), but the bodies are neither sent nor parsed.
    return cache.request_memo(
        "blog:sitemap-posts",
        lambda: list(
            Post.published.query(
                "post",
                scan_index_forward=False,
                limit=SITEMAP_MAX_POSTS,
                page_size=1000,
                attributes_to_get=["post_id", "slug", "updated_at", "feed", "published_at"],
            )
        ),
    )


def last_modified(posts: list[Post]) -> datetime | None:
    """The newest change among `posts`, for Last-Modified."""
    return max((post.updated_at for post in posts), default=None)
