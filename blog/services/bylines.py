"""The author listing of published posts (AuthoredPost), written again from the posts themselves."""

from __future__ import annotations

from blog.models import AuthoredPost, Post
from blog.services.visibility import PublicState


def bylines_backfill() -> int:
    """Put the AuthoredPost items of every published post (one Query of the by-published index, batch writes).

    The transaction of every publish and byline change keeps them from then on; putting an item that
    exists changes nothing, so this is safe to run at any time. Returns the number of posts listed.
    """
    count = 0
    with AuthoredPost.batch_write() as batch:
        for post in Post.published.query("post", page_size=100):
            for author, sort_key in PublicState.of(post).author_entries(post.post_id):
                batch.save(AuthoredPost(author, sort_key, post_id=post.post_id))
            count += 1
    return count
