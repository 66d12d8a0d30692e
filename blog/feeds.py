"""RSS 2.0 and Atom 1.0 feeds of the newest posts, and the sitemap: Django's syndication and sitemaps frameworks.

Feed and Sitemap instances are made once (the feeds at import, the sitemaps per request) and
keep nothing of a request on themselves: what one request needs travels in the object that
`get_object` returns, so they are right with any number of threads and processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import feedgenerator

from blog import selectors

if TYPE_CHECKING:
    from blog.models import Post, Term

FEED_SIZE = 20
# Feed readers resolve nothing: root-relative media URLs in bodies become absolute.
_ROOT_RELATIVE = re.compile(r'(=")/(?!/)|(, )/(?!/)')


def absolutize(fragment: str, base: str) -> str:
    return _ROOT_RELATIVE.sub(lambda m: f"{m.group(1) or m.group(2)}{base}/", fragment)


@dataclass(frozen=True)
class FeedEntry:
    """A post as one request's feed shows it: with the site's base URL for its body's links."""

    post: Post
    base: str


@dataclass(frozen=True)
class FeedPage:
    """What one request's feed holds: the newest posts and its own absolute URL."""

    entries: list[FeedEntry]
    self_url: str


class _SettledDate:
    """A feed without posts is dated the Unix epoch: Django's generators date it "now", so each request's
    bytes would differ (every answer a change to a cache, two readers a second apart different feeds)."""

    def latest_post_date(self):
        if not self.items:
            return datetime(1970, 1, 1, tzinfo=UTC)
        return super().latest_post_date()


class RssFeed(_SettledDate, feedgenerator.Rss201rev2Feed):
    pass


class AtomFeed(_SettledDate, feedgenerator.Atom1Feed):
    pass


class LatestPostsFeed(Feed):
    """The newest FEED_SIZE published posts, as RSS 2.0 (`blog:rss`)."""

    feed_type = RssFeed
    url_name = "blog:rss"
    language = "en"

    def get_object(self, request, *args, **kwargs) -> FeedPage:
        posts, _ = selectors.published_posts(limit=FEED_SIZE)
        base = request.build_absolute_uri("/").rstrip("/")
        return FeedPage([FeedEntry(post, base) for post in posts], request.build_absolute_uri(reverse(self.url_name)))

    def title(self) -> str:
        return f"{settings.SITE_NAME} blog"

    def link(self) -> str:
        return reverse("blog:index")

    def description(self) -> str:
        return f"New posts on {settings.SITE_NAME}."

    def feed_url(self, page: FeedPage) -> str:
        return page.self_url

    def feed_guid(self, page: FeedPage) -> str:
        return page.self_url

    def items(self, page: FeedPage) -> list[FeedEntry]:
        return page.entries

    def item_title(self, entry: FeedEntry) -> str:
        return entry.post.title

    def item_link(self, entry: FeedEntry) -> str:
        return reverse("blog:post", args=[entry.post.slug])

    def item_description(self, entry: FeedEntry) -> str:
        return absolutize(entry.post.body_html, entry.base)

    item_guid_is_permalink = True  # the guid is the item's link

    def item_pubdate(self, entry: FeedEntry):
        return entry.post.published_at

    def item_updateddate(self, entry: FeedEntry):
        return entry.post.updated_at

    def item_author_name(self, entry: FeedEntry) -> str:
        return entry.post.byline_names  # every byline ("Ada and Grace")

    def item_categories(self, entry: FeedEntry) -> list[str]:
        return entry.post.tag_labels


class LatestPostsAtomFeed(LatestPostsFeed):
    """The same posts as Atom 1.0 (`blog:atom`)."""

    feed_type = AtomFeed
    url_name = "blog:atom"


rss_feed = LatestPostsFeed()
atom_feed = LatestPostsAtomFeed()


# --- Sitemap ---------------------------------------------------------------------------------


class PageSitemap(Sitemap):
    """The blog's home (changed with its newest post) and its archive."""

    def items(self) -> list[str]:
        return ["blog:index", "blog:archive"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str):
        return selectors.last_modified(selectors.sitemap_posts()) if name == "blog:index" else None

    def changefreq(self, name: str) -> str | None:
        return "daily" if name == "blog:index" else None


class PostSitemap(Sitemap):
    """Every published post, newest first, at most SITEMAP_MAX_POSTS (the protocol lists history: bounded)."""

    def items(self) -> list[Post]:
        return selectors.sitemap_posts()

    def location(self, post: Post) -> str:
        return reverse("blog:post", args=[post.slug])

    def lastmod(self, post: Post):
        return post.updated_at


class TagSitemap(Sitemap):
    """The tags with published posts, most used first, in what the file's 50,000 URLs leave."""

    def items(self) -> list[Term]:
        return selectors.sitemap_tags(limit=selectors.SITEMAP_MAX_URLS - 2 - len(selectors.sitemap_posts()))

    def location(self, term: Term) -> str:
        return reverse("blog:tag", args=[term.name])


SITEMAPS = {"pages": PageSitemap, "posts": PostSitemap, "tags": TagSitemap}
