"""Writes of posts: create, edit, publish, schedule, unpublish, delete.

Every write is one DynamoDB transaction (services.transaction): the post (guarded by its
version), its slug claim, its tag listings and the tag/month counts change together or not
at all. A change visible to readers also replaces the blog's read-cache stamp in that
transaction, and then invalidates exactly the affected CloudFront paths in one request.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError

from blog import permissions, selectors
from blog.errors import (
    PostStateInvalid,
    PostVersionConflict,
    RoleForbidden,
    SlugTaken,
    StaffMemberNotFound,
    UnknownAuthor,
)
from blog.models import DRAFT, PUBLISHED, SCHEDULED, CoauthoredPost, Post, utcnow
from blog.services.content import apply_content, apply_status, slug_candidates, slug_checked, slug_from_title
from blog.services.staff import staff_member
from blog.services.transaction import (
    SCHEDULER,
    SavedBy,
    SlugClash,
    coauthors_of,
    connection,
    post_editable,
    post_transact,
    revision_of,
    tag_operations,
    version_conflict,
)
from blog.services.visibility import PublicState, affected_paths
from mysite import cache, cdn
from mysite.dynamo import LabelledTransactWrite
from mysite.errors import InvalidInput

logger = logging.getLogger(__name__)

__all__ = ["PostStateInvalid", "PostVersionConflict", "SlugTaken"]


def _commit(
    post: Post,
    before: PublicState,
    *,
    old_slug: str | None,
    is_new: bool,
    slug_derived: bool,
    action: str,
    by: SavedBy | None,
    restored_from: int | None = None,
    coauthors_before: set[str] | None = None,
) -> Post:
    """Write the post, its revision and everything that hangs off it in one transaction; retry derived slugs."""
    post.updated_at = utcnow()
    candidates = slug_candidates(post.slug) if slug_derived else iter([post.slug])
    for candidate in candidates:
        post.slug = candidate
        revision = revision_of(post, action=action, by=by, restored_from=restored_from)
        try:
            post_transact(
                post, before, old_slug=old_slug, is_new=is_new, revision=revision, coauthors_before=coauthors_before
            )
        except SlugClash:
            continue
        break
    else:
        raise SlugTaken(field="slug")
    after = PublicState.of(post)
    if before.published or after.published:  # any change to a visible post changes what readers get
        cdn.invalidate_paths(affected_paths(before, after))
    return post


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
    by: SavedBy | None = None,
    actor=None,
) -> Post:
    """A new draft; without a slug one is derived from the title (and numbered if taken)."""
    if actor is not None and not permissions.can_create(actor):
        raise RoleForbidden("Only the blog's staff can write posts.")
    post = Post(uuid.uuid4().hex, author_sub=author_sub, author_name=author_name or "Anonymous")
    apply_content(
        post,
        title=title,
        body_markdown=body_markdown,
        custom_excerpt=custom_excerpt,
        tags=tags,
        feature_image_id=feature_image_id,
        feature_image_alt=feature_image_alt,
    )
    post.slug = slug_checked(slug) if slug.strip() else slug_from_title(post.title)
    apply_status(post, DRAFT)
    return _commit(
        post, PublicState(), old_slug=None, is_new=True, slug_derived=not slug.strip(), action="create", by=by
    )


def post_update(
    *,
    post_id: str,
    version: int,
    title: str | None = None,
    body_markdown: str | None = None,
    slug: str = "",
    custom_excerpt: str | None = None,
    tags: list[str] | str | None = None,
    feature_image_id: str | None = None,
    feature_image_alt: str | None = None,
    keep_feature_image: bool = False,
    by: SavedBy | None = None,
    restored_from: int | None = None,
    actor=None,
) -> Post:
    """Edit a post of any status; a field left out (None) keeps its value; a published post stays published.

    `feature_image_id=None` removes the image unless `keep_feature_image` (a partial edit that does not name it).
    """
    post = post_editable(post_id, version, actor=actor, refusal=EDIT_REFUSAL)
    before, old_slug = PublicState.of(post), post.slug
    apply_content(
        post,
        title=post.title if title is None else title,
        body_markdown=post.body_markdown if body_markdown is None else body_markdown,
        custom_excerpt=post.custom_excerpt if custom_excerpt is None else custom_excerpt,
        tags=post.tag_labels if tags is None else tags,
        feature_image_id=post.feature_image_id if keep_feature_image else feature_image_id,
        feature_image_alt=post.feature_image_alt if feature_image_alt is None else feature_image_alt,
    )
    if slug and slug.strip():
        post.slug = slug_checked(slug)
    action = "restore" if restored_from else "edit"
    return _commit(
        post,
        before,
        old_slug=old_slug,
        is_new=False,
        slug_derived=False,
        action=action,
        by=by,
        restored_from=restored_from,
    )


EDIT_REFUSAL = "Contributors can change only their drafts; once published, an editor makes the changes."
PUBLISH_REFUSAL = "Your role does not allow publishing; submit the draft for review instead."


def _unchanged_or_refused(post: Post, version: int | None, refusal: str) -> Post:
    """A post already in the status asked for: unchanged when asked without a version, else refused."""
    if version is None:
        return post
    raise PostStateInvalid(refusal)


def _status_commit(post: Post, status: str, *, action: str, by: SavedBy | None, **times: datetime) -> Post:
    """Save `post` in `status` (with its publication or schedule time), as a revision of `action`."""
    before = PublicState.of(post)
    apply_status(post, status, **times)
    if status != DRAFT:
        post.submitted_at = None  # reviewed: published or scheduled
    return _commit(post, before, old_slug=post.slug, is_new=False, slug_derived=False, action=action, by=by)


def post_publish(
    *,
    post_id: str,
    version: int | None = None,
    published_at: datetime | None = None,
    by: SavedBy | None = None,
    actor=None,
) -> Post:
    """Make a draft or scheduled post public now; without a version, publishing a published post changes nothing."""
    post = post_editable(post_id, version, actor=actor, allowed=permissions.can_publish, refusal=PUBLISH_REFUSAL)
    if post.status == PUBLISHED:
        return _unchanged_or_refused(post, version, "This post is already published.")
    return _status_commit(post, PUBLISHED, action="publish", by=by, published_at=published_at or utcnow())


def post_schedule(
    *, post_id: str, version: int | None = None, publish_at: datetime, by: SavedBy | None = None, actor=None
) -> Post:
    """Publish a draft automatically at `publish_at` (the every-minute schedule picks it up)."""
    post = post_editable(post_id, version, actor=actor, allowed=permissions.can_publish, refusal=PUBLISH_REFUSAL)
    if post.status == PUBLISHED:
        raise PostStateInvalid("A published post cannot be scheduled; unpublish it first.")
    if publish_at.tzinfo is None:
        raise InvalidInput("Give the time with its time zone.", field="publish_at")
    if publish_at <= utcnow():
        raise InvalidInput("The publication time must be in the future.", field="publish_at")
    if publish_at > utcnow() + timedelta(days=5 * 365):
        raise InvalidInput("The publication time is too far in the future.", field="publish_at")
    if version is None and post.status == SCHEDULED and post.scheduled_for == publish_at:
        return post
    return _status_commit(post, SCHEDULED, action="schedule", by=by, scheduled_for=publish_at)


def post_submit(*, post_id: str, version: int | None = None, by: SavedBy | None = None, actor=None) -> Post:
    """Mark a draft as ready for an editor's review (a contributor's way to ask for publication)."""
    post = post_editable(
        post_id,
        version,
        actor=actor,
        allowed=permissions.can_submit,
        refusal="Only a draft can be submitted for review.",
    )
    if post.status != DRAFT:
        raise PostStateInvalid("Only a draft can be submitted for review.")
    if post.submitted_at is not None and version is None:
        return post
    before = PublicState.of(post)
    post.submitted_at = utcnow()
    return _commit(post, before, old_slug=post.slug, is_new=False, slug_derived=False, action="submit", by=by)


MAX_AUTHORS = 10


def post_authors_set(
    *,
    post_id: str,
    version: int | None = None,
    author_ids: list[str],
    by: SavedBy | None = None,
    actor=None,
) -> Post:
    """Set the post's bylines (the first is the primary author); each must hold a blog role.

    Someone who is not an editor cannot take themselves off the post (they would lose it).
    """
    post = post_editable(
        post_id,
        version,
        actor=actor,
        allowed=permissions.can_add_coauthor,
        refusal="Your role does not allow changing this post's authors.",
    )
    ids = list(dict.fromkeys(sub.strip() for sub in author_ids if sub.strip()))
    if not ids:
        raise InvalidInput("A post needs at least one author.", field="author_ids")
    if len(ids) > MAX_AUTHORS:
        raise InvalidInput(f"At most {MAX_AUTHORS} authors.", field="author_ids")
    if actor is not None and not permissions.sees_every_post(actor) and actor.sub not in ids:
        raise InvalidInput("You cannot take yourself off the post.", field="author_ids")
    names = {byline["sub"]: byline["name"] for byline in post.bylines}
    for sub in ids:
        if sub not in names:
            try:
                member = staff_member(sub=sub)
            except StaffMemberNotFound:
                raise UnknownAuthor(field="author_ids") from None
            if member.role is None:
                raise UnknownAuthor(field="author_ids")
            names[sub] = member.name or member.email
    before, coauthors_before = PublicState.of(post), coauthors_of(post)
    post.author_subs, post.author_names = ids, [names[sub] for sub in ids]
    post.author_sub, post.author_name = ids[0], names[ids[0]] or "Anonymous"
    if post.author_feed:  # published: the primary author's index follows the first byline
        post.author_feed = post.author_sub
    return _commit(
        post,
        before,
        old_slug=post.slug,
        is_new=False,
        slug_derived=False,
        action="authors",
        by=by,
        coauthors_before=coauthors_before,
    )


def post_unpublish(*, post_id: str, version: int | None = None, by: SavedBy | None = None, actor=None) -> Post:
    """Back to draft: a published post disappears from the site; a scheduled one is no longer due."""
    post = post_editable(post_id, version, actor=actor, allowed=permissions.can_publish, refusal=PUBLISH_REFUSAL)
    if post.status == DRAFT:
        return _unchanged_or_refused(post, version, "This post is already a draft.")
    return _status_commit(post, DRAFT, action="unpublish", by=by)


def post_delete(*, post_id: str, version: int, actor=None) -> None:
    """Delete a post with its slug and tag listings (its images stay: other posts may use them)."""
    post = post_editable(
        post_id,
        version,
        actor=actor,
        allowed=permissions.can_delete,
        refusal="Your role does not allow deleting this post.",
    )
    before = PublicState.of(post)
    transaction = LabelledTransactWrite(connection=connection())
    try:
        with transaction:
            transaction.delete(post, label="post")  # its slug claims stay: their addresses answer 410
            for sub in coauthors_of(post):
                transaction.delete(CoauthoredPost(sub, post.post_id))
            tag_operations(transaction, post.post_id, before, PublicState())
            cache.stamp_bump(transaction, cache.BLOG_SCOPE)  # even a draft's address now answers 410
    except TransactWriteError as error:
        if transaction.failed(error):
            raise version_conflict(post_id) from None
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
            apply_status(post, PUBLISHED, published_at=post.scheduled_for)
            post.updated_at = utcnow()
            revision = revision_of(post, action="publish", by=SCHEDULER)
            try:
                post_transact(post, before, old_slug=post.slug, is_new=False, revision=revision)
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
