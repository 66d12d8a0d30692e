"""What readers can see of a post, and which public URLs change when that changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from blog.models import PUBLISHED, Post


@dataclass(frozen=True)
class PublicState:
    """What readers can see of a post: the basis of cache invalidation and tag bookkeeping."""

    published: bool = False
    slug: str = ""
    author_sub: str = ""
    published_at: datetime | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, post: Post | None) -> PublicState:
        if post is None or post.status != PUBLISHED:
            return cls()
        return cls(True, post.slug, post.author_sub, post.published_at, tuple(post.tags))

    @property
    def month(self) -> str:
        return self.published_at.strftime("%Y-%m") if self.published_at else ""

    def tag_entries(self, post_id: str) -> set[tuple[str, str]]:
        if not self.published:
            return set()
        return {(tag, f"{self.published_at.isoformat()}#{post_id}") for tag in self.tags}

    def paths(self) -> set[str]:
        if not self.published:
            return set()
        paths = {
            f"/blog/{self.slug}/",
            f"/api/blog/posts/{self.slug}",
            f"/blog/author/{self.author_sub}/",
            f"/blog/archive/{self.published_at:%Y}/{self.published_at:%m}/",
        }
        for tag in self.tags:
            paths |= {f"/blog/tag/{tag}/", f"/api/blog/tags/{tag}/posts"}
        return paths


LIST_PATHS = {"/blog/", "/blog/rss.xml", "/blog/atom.xml", "/blog/archive/", "/sitemap.xml", "/api/blog/posts"}


def affected_paths(before: PublicState, after: PublicState) -> set[str]:
    """The public URLs whose content changes when a post goes from `before` to `after`."""
    if not before.published and not after.published:
        return set()
    return LIST_PATHS | before.paths() | after.paths()
