"""What readers can see of a post, and which public URLs change when that changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse

from blog.models import PUBLISHED, Post


@dataclass(frozen=True)
class PublicState:
    """What readers can see of a post: the basis of cache invalidation and tag bookkeeping."""

    published: bool = False
    slug: str = ""
    author_sub: str = ""
    published_at: datetime | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    authors: tuple[str, ...] = field(default_factory=tuple)  # every byline's sub, primary first

    @classmethod
    def of(cls, post: Post | None) -> PublicState:
        if post is None or post.status != PUBLISHED:
            return cls()
        authors = tuple(byline["sub"] for byline in post.bylines)
        return cls(True, post.slug, post.author_sub, post.published_at, tuple(post.tags), authors)

    @property
    def month(self) -> str:
        return self.published_at.strftime("%Y-%m") if self.published_at else ""

    def tag_entries(self, post_id: str) -> set[tuple[str, str]]:
        if not self.published:
            return set()
        return {(tag, f"{self.published_at.isoformat()}#{post_id}") for tag in self.tags}

    def author_entries(self, post_id: str) -> set[tuple[str, str]]:
        if not self.published:
            return set()
        return {(author, f"{self.published_at.isoformat()}#{post_id}") for author in self.authors or (self.author_sub,)}

    def paths(self) -> set[str]:
        if not self.published:
            return set()
        when = self.published_at
        paths = {
            reverse("blog:post", args=[self.slug]),
            reverse("blog-api:post", args=[self.slug]),
            *(reverse("blog:author", args=[author]) for author in self.authors or (self.author_sub,)),
            # The month's URL with two digits, as the archive links it (`archive/2024/05/`).
            reverse("blog:archive-month", args=[f"{when:%Y}", f"{when:%m}"]),
        }
        for tag in self.tags:
            paths |= {reverse("blog:tag", args=[tag]), reverse("blog-api:tag-posts", args=[tag])}
        return paths


LIST_URL_NAMES = ("blog:index", "blog:rss", "blog:atom", "blog:archive", "blog-root:sitemap", "blog-api:posts")


def affected_paths(before: PublicState, after: PublicState) -> set[str]:
    """The public URLs whose content changes when a post goes from `before` to `after`."""
    if not before.published and not after.published:
        return set()
    return {reverse(name) for name in LIST_URL_NAMES} | before.paths() | after.paths()
