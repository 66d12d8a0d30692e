"""Restoring a post's earlier revision: its content saved again, as a new revision that says where it came from."""

from __future__ import annotations

from blog import selectors
from blog.models import Post
from blog.services.posts import post_update
from blog.services.transaction import SavedBy, revised_content


def post_restore(*, post_id: str, number: int, version: int, by: SavedBy | None = None, actor=None) -> Post:
    """Bring back revision `number`'s title, slug, body, excerpt, tags and feature image (the status stays)."""
    if actor is not None:
        selectors.post_get(post_id=post_id, actor=actor)  # another's post is not there for them: 404
    revision = selectors.revision_get(post_id=post_id, number=number)
    return post_update(
        post_id=post_id,
        version=version,
        tags=list(revision.tag_names),
        by=by,
        restored_from=number,
        actor=actor,
        **revised_content(revision),
    )
