"""The one transaction behind every post write: the post (at its version), slug claims, tag listings, counts, stamp."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from blog import permissions, selectors
from blog.errors import PostNotFound, PostVersionConflict, RoleForbidden
from blog.models import AuthoredPost, CoauthoredPost, Post, PostRevision, SlugClaim, TaggedPost, Term
from blog.services.visibility import PublicState
from mysite import cache
from mysite.dynamo import LabelledTransactWrite


def connection():
    """The low-level connection of the posts table (same endpoint and credentials as every blog table)."""
    return Post._get_connection().connection


class SlugClash(Exception):
    pass


@dataclass(frozen=True)
class SavedBy:
    """Who made a change, as the post's history shows it."""

    sub: str = ""
    name: str = ""


SCHEDULER = SavedBy("", "Scheduled publishing")


# What a revision keeps of a post's content besides its tags, and so what restoring one brings back.
REVISED_FIELDS = ("title", "slug", "body_markdown", "custom_excerpt", "feature_image_id", "feature_image_alt")


def revised_content(item: Post | PostRevision) -> dict:
    """The REVISED_FIELDS of a post or of one of its revisions, by name."""
    return {field: getattr(item, field) for field in REVISED_FIELDS}


def revision_of(post: Post, *, action: str, by: SavedBy | None, restored_from: int | None = None) -> PostRevision:
    """The revision a save leaves: the post as saved, numbered with the version the save gives it."""
    by = by or SavedBy(post.author_sub, post.author_name)
    return PostRevision(
        post.post_id,
        (post.version or 0) + 1,
        action=action,
        saved_at=post.updated_at,
        saved_by_sub=by.sub,
        saved_by_name=by.name,
        status=post.status,
        tag_names=list(post.tag_labels),
        restored_from=restored_from,
        **revised_content(post),
    )


def coauthors_of(post: Post) -> set[str]:
    """The subs of a post's bylines but the primary (the CoauthoredPost items it has)."""
    return {byline["sub"] for byline in post.bylines[1:]}


def post_transact(
    post: Post,
    before: PublicState,
    *,
    old_slug: str | None,
    is_new: bool,
    revision: PostRevision | None = None,
    coauthors_before: set[str] | None = None,
) -> None:
    """Save the post with its slug claim, tag listings, counts, stamp and revision, all or nothing.

    A slug it leaves keeps its claim (its address answers 301 from then on); a slug it takes must be
    free or one of its own earlier slugs.
    """
    after = PublicState.of(post)
    with_version = post.version  # the version the caller read; PynamoDB checks it in the transaction
    transaction = LabelledTransactWrite(connection=connection())
    try:
        with transaction:
            transaction.save(post, condition=Post.post_id.does_not_exist() if is_new else None, label="post")
            if old_slug != post.slug:
                claim = SlugClaim(post.slug, post_id=post.post_id)
                free_or_ours = SlugClaim.slug.does_not_exist() | (SlugClaim.post_id == post.post_id)
                transaction.save(claim, condition=free_or_ours, label="new-slug")
            tag_operations(transaction, post.post_id, before, after, names=dict(post.tag_links))
            if coauthors_before is not None:  # the bylines changed
                coauthors = coauthors_of(post)
                for sub in coauthors_before - coauthors:
                    transaction.delete(CoauthoredPost(sub, post.post_id))
                for sub in coauthors - coauthors_before:
                    transaction.save(CoauthoredPost(sub, post.post_id))
            if revision is not None:
                transaction.save(revision, condition=PostRevision.number.does_not_exist(), label="revision")
            if before.published or after.published:
                cache.stamp_bump(transaction, cache.BLOG_SCOPE)
    except TransactWriteError as error:
        failed = transaction.failed(error)
        if failed & {"post", "revision"}:  # someone else saved the post first
            post.version = with_version
            raise version_conflict(post.post_id) from None
        if "new-slug" in failed:
            raise SlugClash() from None
        raise


def tag_operations(
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
    old_bylines, new_bylines = before.author_entries(post_id), after.author_entries(post_id)
    for author, sort_key in old_bylines - new_bylines:
        transaction.delete(AuthoredPost(author, sort_key))
    for author, sort_key in new_bylines - old_bylines:
        transaction.save(AuthoredPost(author, sort_key, post_id=post_id))
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


def conflict_with(current: Post | None) -> PostVersionConflict:
    """The 409 of a stale write, carrying the post as it is now (`current`, None once deleted)."""
    if current is None:
        return PostVersionConflict("This post was deleted since you opened it.", current=None)
    return PostVersionConflict(current=current)


def version_conflict(post_id: str) -> PostVersionConflict:
    try:
        return conflict_with(Post.get(post_id, consistent_read=True))
    except DoesNotExist:
        return conflict_with(None)


def post_allowed(post: Post, actor, allowed, refusal: str) -> None:
    """Refuse `actor` (None: the system itself) unless `allowed(actor, post)`: 404 if they may not even see it."""
    if actor is None:
        return
    if not permissions.can_view(actor, post):
        raise PostNotFound()
    if not allowed(actor, post):
        raise RoleForbidden(refusal)


def post_editable(
    post_id: str, version: int | None, *, actor=None, allowed=permissions.can_edit, refusal: str = ""
) -> Post:
    """The post at the version the caller last read (None: as it is now); a stale copy is a conflict.

    With an `actor`, their role must allow `allowed` first (blog.permissions), so a refusal reveals nothing.
    """
    post = selectors.post_get(post_id=post_id)
    post_allowed(post, actor, allowed, refusal or "Your role does not allow changing this post.")
    if version is not None and post.version != version:
        raise conflict_with(post)
    return post
