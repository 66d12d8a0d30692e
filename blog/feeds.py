"""RSS 2.0 and Atom 1.0 feeds of the newest posts (django.utils.feedgenerator)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import feedgenerator

if TYPE_CHECKING:
    from blog.models import Post


FEED_SIZE = 20
# Feed readers resolve nothing: root-relative media URLs in bodies become absolute.
_ROOT_RELATIVE = re.compile(r'(=")/(?!/)|(, )/(?!/)')


def absolutize(fragment: str, base: str) -> str:
    return _ROOT_RELATIVE.sub(lambda m: f"{m.group(1) or m.group(2)}{base}/", fragment)


def feed_response(request: HttpRequest, posts: list[Post], *, kind: str) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    feed_class = feedgenerator.Rss201rev2Feed if kind == "rss" else feedgenerator.Atom1Feed
    self_url = request.build_absolute_uri(reverse(f"blog:{kind}"))
    feed = feed_class(
        title=f"{settings.SITE_NAME} blog",
        link=request.build_absolute_uri(reverse("blog:index")),
        description=f"New posts on {settings.SITE_NAME}.",
        language="en",
        feed_url=self_url,
        feed_guid=self_url,
    )
    for post in posts:
        url = request.build_absolute_uri(reverse("blog:post", args=[post.slug]))
        feed.add_item(
            title=post.title,
            link=url,
            description=absolutize(post.body_html, base),
            unique_id=url,
            unique_id_is_permalink=True,
            pubdate=post.published_at,
            updateddate=post.updated_at,
            author_name=post.author_name,
            categories=post.tag_labels,
        )
    response = HttpResponse(content_type=f"{feed.content_type}")
    feed.write(response, "utf-8")
    return response
