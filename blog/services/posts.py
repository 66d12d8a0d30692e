"""Writes of posts: create, edit, publish, schedule, unpublish, delete.

Every write is one DynamoDB transaction: the post (guarded by its version), its
slug claim, its tag listings and the tag/month counts change together or not at
all. A change visible to readers also replaces the blog's read-cache stamp in
that transaction, and then invalidates exactly the affected CloudFront paths in
one request.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime, timedelta

from django.utils.text import slugify
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from blog import selectors
from blog.models import DRAFT, IMAGE_READY, PUBLISHED, SCHEDULED, Image, Post, SlugClaim, TaggedPost, Term, utcnow
from blog.rendering import excerpt_from, render_markdown
from blog.services.visibility import PublicState, affected_paths
from mysite import cache, cdn
from mysite.dynamo import LabelledTransactWrite
from mysite.errors import Conflict, InvalidInput, Unprocessable

logger = logging.getLogger(__name__)

MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_SLUG_LENGTH = 80
MAX_BODY_CHARS = 200_000
SLUG_ATTEMPTS = 20
# Slugs that would shadow a fixed URL under /blog/.
RESERVED_SLUGS = {"archive", "tag", "author", "rss", "atom", "feed", "page", "media", "search"}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class PostVersionConflict(Conflict):
    code, message = "version_conflict", "Someone changed this post since you opened it; reload to see their version."


class SlugTaken(Conflict):
    code, message = "slug_taken", "Another post already uses this slug."


class PostStateInvalid(Unprocessable):
    code = "invalid_state"


def post_summary(post: Post) -> dict:
    """The current copy of a post, sent with a version conflict so the client can merge."""
    return {
        "id": post.post_id,
        "version": post.version,
        "title": post.title,
        "slug": post.slug,
        "status": post.status,
        "body_markdown": post.body_markdown,
        "tags": list(post.tags),
        "updated_at": post.updated_at.isoformat(),
    }


# --- Validation ---------------------------------------------------------------------------


# Symbols that carry meaning in tag names; slugify would drop them ("C++" and "C" would both be "c").
_TAG_SYMBOLS = (("+", "-plus"), ("#", "-sharp"), ("&", "-and-"), ("@", "-at-"), (".", "-"))


def tag_slug(name: str) -> str:
    """A tag's URL slug: Unicode letters and digits kept ("日本語"), symbols spelt out ("C++" -> "c-plus-plus")."""
    text = name.lower()
    for symbol, word in _TAG_SYMBOLS:
        text = text.replace(symbol, word)
    return slugify(text, allow_unicode=True)[:MAX_TAG_LENGTH].strip("-")


def tags_normalize(tags: list[str] | tuple[str, ...] | str) -> list[tuple[str, str]]:
    """(slug, name) per tag, deduplicated, in the order given; two names sharing a slug are refused.

    A name already in use with a published post keeps its first spelling ("python" joins "Python");
    a different name that would share its address ("C plus plus" after "C++") is an error, never a merge.
    """
    if isinstance(tags, str):
        tags = tags.split(",")
    chosen: dict[str, str] = {}
    for tag in tags:
        name = " ".join(str(tag).split()).lstrip("#").strip()
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise InvalidInput(f"A tag is at most {MAX_TAG_LENGTH} characters.", field="tags")
        slug = tag_slug(name)
        if not slug:
            raise InvalidInput(f"The tag “{name}” needs at least one letter or digit.", field="tags")
        if slug in chosen and chosen[slug].casefold() != name.casefold():
            raise InvalidInput(f"“{chosen[slug]}” and “{name}” would share one tag page; keep one.", field="tags")
        chosen.setdefault(slug, name)
    if len(chosen) > MAX_TAGS:
        raise InvalidInput(f"A post can have at most {MAX_TAGS} tags.", field="tags")
    existing = {term.name: term for term in Term.batch_get([("tag", slug) for slug in chosen])} if chosen else {}
    for slug, name in chosen.items():
        term = existing.get(slug)
        if term is None or not term.display_name or term.post_count <= 0:
            continue
        if term.display_name.casefold() != name.casefold():
            raise InvalidInput(
                f"“{name}” would share the page of the tag “{term.display_name}”; use that name or another.",
                field="tags",
            )
        chosen[slug] = term.display_name
    return list(chosen.items())


def _slug_checked(slug: str) -> str:
    slug = slug.strip().lower()
    if len(slug) > MAX_SLUG_LENGTH or not _SLUG.match(slug):
        raise InvalidInput("Use lower-case letters, digits and single hyphens (at most 80 characters).", field="slug")
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"“{slug}” is reserved for a page of the blog.", field="slug")
    return slug


def _slug_from_title(title: str) -> str:
    slug = slugify(title)[:MAX_SLUG_LENGTH].strip("-") or "post"
    return f"{slug}-post" if slug in RESERVED_SLUGS else slug


def _slug_candidates(base: str):
    yield base
    for number in range(2, SLUG_ATTEMPTS):
        yield f"{base[: MAX_SLUG_LENGTH - len(str(number)) - 1]}-{number}"
    yield f"{base[: MAX_SLUG_LENGTH - 9]}-{uuid.uuid4().hex[:8]}"


def _feature_image(image_id: str | None) -> dict | None:
    if not image_id:
        return None
    try:
        image = Image.get(image_id)
    except DoesNotExist:
        raise InvalidInput("There is no such image.", field="feature_image_id") from None
    if image.status != IMAGE_READY:
        raise Unprocessable("This image is not processed (yet); wait until it is ready.", field="feature_image_id")
    return {"width": image.width, "height": image.height, "renditions": image.renditions}


def _apply_content(
    post: Post,
    *,
    title: str,
    body_markdown: str,
    custom_excerpt: str,
    tags: list[str] | str,
    feature_image_id: str | None,
    feature_image_alt: str,
) -> None:
    title = title.strip()
    if not title:
        raise InvalidInput("A post needs a title.", field="title")
    if len(body_markdown) > MAX_BODY_CHARS:
        raise InvalidInput(f"The body is longer than {MAX_BODY_CHARS} characters.", field="body_markdown")
    feature_image_id = feature_image_id or None
    if feature_image_id and not feature_image_alt.strip():
        raise InvalidInput("Describe the feature image for readers who cannot see it.", field="feature_image_alt")
    post.title = title
    post.title_search = title.lower()
    post.body_markdown = body_markdown
    post.body_html = render_markdown(body_markdown, renditions_for=selectors.image_renditions)
    post.custom_excerpt = custom_excerpt.strip()
    post.excerpt = post.custom_excerpt or excerpt_from(post.body_html)
    normalized = tags_normalize(tags)
    post.tags = [slug for slug, _ in normalized]
    post.tag_names = [name for _, name in normalized]
    if feature_image_id != post.feature_image_id or (feature_image_id and not post.feature_image):
        post.feature_image = _feature_image(feature_image_id)
    post.feature_image_id = feature_image_id
    post.feature_image_alt = feature_image_alt.strip() if feature_image_id else ""


def _apply_status(
    post: Post, status: str, *, published_at: datetime | None = None, scheduled_for: datetime | None = None
) -> None:
    """Set the status and the sparse index keys that make a post visible (or not) to each listing."""
    post.status = status
    post.scheduled_for = scheduled_for if status == SCHEDULED else None
    post.schedule_queue = "due" if status == SCHEDULED else None
    if status == PUBLISHED:
        post.published_at = published_at or post.published_at or utcnow()
        post.feed = "post"
        post.author_feed = post.author_sub
        post.published_month = post.published_at.strftime("%Y-%m")
    else:
        post.feed = post.author_feed = post.published_month = None


# --- The transaction -------------------------------------------------------------------------


def _commit(post: Post, before: PublicState, *, old_slug: str | None, is_new: bool, slug_derived: bool) -> Post:
    """Write the post and everything that hangs off it in one transaction; retry derived slugs."""
    post.updated_at = utcnow()
    candidates = _slug_candidates(post.slug) if slug_derived else iter([post.slug])
    for candidate in candidates:
        post.slug = candidate
        try:
            _transact(post, before, old_slug=old_slug, is_new=is_new)
        except _SlugClash:
            continue
        break
    else:
        raise SlugTaken(field="slug")
    after = PublicState.of(post)
    if before.published or after.published:  # any change to a visible post changes what readers get
        cdn.invalidate_paths(affected_paths(before, after))
    return post


def _connection():
    """The low-level connection of the posts table (same endpoint and credentials as every blog table)."""
    return Post._get_connection().connection


class _SlugClash(Exception):
    pass


def _transact(post: Post, before: PublicState, *, old_slug: str | None, is_new: bool) -> None:
    after = PublicState.of(post)
    slug_changes = old_slug != post.slug
    with_version = post.version  # the version the caller read; PynamoDB checks it in the transaction
    transaction = LabelledTransactWrite(connection=_connection())
    try:
        with transaction:
            transaction.save(post, condition=Post.post_id.does_not_exist() if is_new else None, label="post")
            if slug_changes:
                claim = SlugClaim(post.slug, post_id=post.post_id)
                transaction.save(claim, condition=SlugClaim.slug.does_not_exist(), label="new-slug")
                if old_slug:
                    claimed_by_post = SlugClaim.post_id == post.post_id
                    transaction.delete(SlugClaim(old_slug), condition=claimed_by_post, label="old-slug")
            _tag_operations(transaction, post.post_id, before, after, names=dict(post.tag_links))
            if before.published or after.published:
                cache.stamp_bump(transaction, cache.BLOG_SCOPE)
    except TransactWriteError as error:
        failed = transaction.failed(error)
        if failed & {"post", "old-slug"}:  # someone else saved (or renamed) the post first
            post.version = with_version
            raise _version_conflict(post.post_id) from None
        if "new-slug" in failed:
            raise _SlugClash() from None
        raise


def _tag_operations(
    transaction: TransactWrite,
    post_id: str,
    before: PublicState,
    after: PublicState,
    *,
    names: dict[str, str] | None = None,
) -> None:
    old_entries, new_entries = before.tag_entries(post_id), after.tag_entries(post_id)
    for tag, sort_key in old_entries - new_entries:
        transaction.delete(TaggedPost(tag, sort_key))
    for tag, sort_key in new_entries - old_entries:
        transaction.save(TaggedPost(tag, sort_key, post_id=post_id))
    counts: dict[tuple[str, str], int] = {}
    for state, step in ((before, -1), (after, 1)):
        if state.published:
            for tag in state.tags:
                counts[("tag", tag)] = counts.get(("tag", tag), 0) + step
            counts[("month", state.month)] = counts.get(("month", state.month), 0) + step
    for (kind, name), delta in counts.items():
        if delta:
            actions = [Term.post_count.add(delta)]
            if kind == "tag" and delta > 0 and names and name in names:
                actions.append(Term.display_name.set(names[name]))
            transaction.update(Term(kind, name), actions=actions)


def _version_conflict(post_id: str) -> PostVersionConflict:
    try:
        current = Post.get(post_id, consistent_read=True)
    except DoesNotExist:
        return PostVersionConflict("This post was deleted since you opened it.")
    return PostVersionConflict(extra={"current": post_summary(current)})


def _editable(post_id: str, version: int) -> Post:
    """The post at the version the caller last read; a stale copy is a conflict, not an overwrite."""
    post = selectors.post_get(post_id=post_id)
    if post.version != version:
        raise PostVersionConflict(extra={"current": post_summary(post)})
    return post


# --- Services ------------------------------------------------------------------------------


def post_create(
    *,
    author_sub: str,
    author_name: str,
    title: str,
    body_markdown: str = "",
    slug: str = "",
    custom_excerpt: str = "",
    tags: list[str] | str = (),
    feature_image_id: str | None = None,
    feature_image_alt: str = "",
) -> Post:
    """A new draft; without a slug one is derived from the title (and numbered if taken)."""
    post = Post(uuid.uuid4().hex, author_sub=author_sub, author_name=author_name or "Anonymous")
    _apply_content(
        post,
        title=title,
        body_markdown=body_markdown,
        custom_excerpt=custom_excerpt,
        tags=tags,
        feature_image_id=feature_image_id,
        feature_image_alt=feature_image_alt,
    )
    post.slug = _slug_checked(slug) if slug.strip() else _slug_from_title(post.title)
    _apply_status(post, DRAFT)
    return _commit(post, PublicState(), old_slug=None, is_new=True, slug_derived=not slug.strip())


def post_update(
    *,
    post_id: str,
    version: int,
    title: str,
    body_markdown: str,
    slug: str = "",
    custom_excerpt: str = "",
    tags: list[str] | str = (),
    feature_image_id: str | None = None,
    feature_image_alt: str = "",
) -> Post:
    """Edit a post of any status; a published post stays published (and its pages are refreshed)."""
    post = _editable(post_id, version)
    before, old_slug = PublicState.of(post), post.slug
    _apply_content(
        post,
        title=title,
        body_markdown=body_markdown,
        custom_excerpt=custom_excerpt,
        tags=tags,
        feature_image_id=feature_image_id,
        feature_image_alt=feature_image_alt,
    )
    if slug.strip():
        post.slug = _slug_checked(slug)
    return _commit(post, before, old_slug=old_slug, is_new=False, slug_derived=False)


def post_publish(*, post_id: str, version: int, published_at: datetime | None = None) -> Post:
    """Make a draft or scheduled post public now."""
    post = _editable(post_id, version)
    if post.status == PUBLISHED:
        raise PostStateInvalid("This post is already published.")
    before = PublicState.of(post)
    _apply_status(post, PUBLISHED, published_at=published_at or utcnow())
    return _commit(post, before, old_slug=post.slug, is_new=False, slug_derived=False)


def post_schedule(*, post_id: str, version: int, publish_at: datetime) -> Post:
    """Publish a draft automatically at `publish_at` (the every-minute schedule picks it up)."""
    post = _editable(post_id, version)
    if post.status == PUBLISHED:
        raise PostStateInvalid("A published post cannot be scheduled; unpublish it first.")
    if publish_at.tzinfo is None:
        raise InvalidInput("Give the time with its time zone.", field="publish_at")
    if publish_at <= utcnow():
        raise InvalidInput("The publication time must be in the future.", field="publish_at")
    if publish_at > utcnow() + timedelta(days=5 * 365):
        raise InvalidInput("The publication time is too far in the future.", field="publish_at")
    before = PublicState.of(post)
    _apply_status(post, SCHEDULED, scheduled_for=publish_at)
    return _commit(post, before, old_slug=post.slug, is_new=False, slug_derived=False)


def post_unpublish(*, post_id: str, version: int) -> Post:
    """Back to draft: a published post disappears from the site; a scheduled one is no longer due."""
    post = _editable(post_id, version)
    if post.status == DRAFT:
        raise PostStateInvalid("This post is already a draft.")
    before = PublicState.of(post)
    _apply_status(post, DRAFT)
    return _commit(post, before, old_slug=post.slug, is_new=False, slug_derived=False)


def post_delete(*, post_id: str, version: int) -> None:
    """Delete a post with its slug and tag listings (its images stay: other posts may use them)."""
    post = _editable(post_id, version)
    before = PublicState.of(post)
    transaction = LabelledTransactWrite(connection=_connection())
    try:
        with transaction:
            transaction.delete(post, label="post")
            transaction.delete(SlugClaim(post.slug), condition=SlugClaim.post_id == post.post_id, label="slug")
            _tag_operations(transaction, post.post_id, before, PublicState())
            if before.published:
                cache.stamp_bump(transaction, cache.BLOG_SCOPE)
    except TransactWriteError as error:
        if transaction.failed(error):
            raise _version_conflict(post_id) from None
        raise
    if before.published:
        cdn.invalidate_paths(affected_paths(before, PublicState()))


def posts_publish_due(*, now: datetime | None = None) -> list[str]:
    """Publish every scheduled post whose time has come; returns their slugs. Safe to run twice."""
    now = now or utcnow()
    published: list[str] = []
    paths: set[str] = set()
    for key in Post.scheduled.query("due", Post.scheduled_for <= now, page_size=100):
        for _ in range(3):  # an author editing at this very moment wins; retry with their version
            try:
                post = selectors.post_get(post_id=key.post_id)
            except selectors.PostNotFound:
                break
            if post.status != SCHEDULED or post.scheduled_for > now:
                break
            before = PublicState.of(post)
            _apply_status(post, PUBLISHED, published_at=post.scheduled_for)
            post.updated_at = utcnow()
            try:
                _transact(post, before, old_slug=post.slug, is_new=False)
            except PostVersionConflict:
                continue
            published.append(post.slug)
            paths |= affected_paths(before, PublicState.of(post))
            break
    if paths:
        cdn.invalidate_paths(paths)  # one request for the whole batch
    if published:
        logger.info("Published %d scheduled post(s): %s", len(published), ", ".join(published))
    return published
