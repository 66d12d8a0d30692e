"""The public blog: home, posts, tags, authors, archive, feeds, sitemap, robots.txt and media.

Every page here is the same for everyone (public_page): CloudFront and API
Gateway may keep it, it carries ETag and Last-Modified, and it never reads the
session or the CSRF cookie.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.sitemaps import views as sitemaps_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date

from blog import feeds, selectors
from blog.errors import PostMoved
from mysite import storage
from mysite.http import make_cacheable, public_page

if TYPE_CHECKING:
    from blog.models import Post

PAGE_SIZE = 10
_MEDIA_NAME = re.compile(r"^[0-9a-f]{24}-\d{1,5}\.(webp|jpg|png)$")
_MEDIA_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


def _with_last_modified(response: HttpResponse, when: datetime | None) -> HttpResponse:
    if when is not None:
        response["Last-Modified"] = http_date(when.timestamp())
    return response


def _listing(request: HttpRequest, posts: list[Post], next_cursor: str | None, **context) -> HttpResponse:
    if not posts and request.GET.get("cursor") is None and context.get("empty_is_404"):
        raise Http404
    response = render(request, "blog/list.html", {"posts": posts, "next_cursor": next_cursor, **context})
    return _with_last_modified(response, selectors.last_modified(posts))


@public_page
def index(request: HttpRequest) -> HttpResponse:
    posts, next_cursor = selectors.published_posts(limit=PAGE_SIZE, cursor=request.GET.get("cursor"))
    return _listing(request, posts, next_cursor, heading="Latest posts", is_home=True)


@public_page
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        post = selectors.post_get_published(slug=slug)
    except PostMoved as moved:  # an earlier slug of the post (and every old link to it, feeds' included)
        return HttpResponsePermanentRedirect(reverse("blog:post", args=[moved.slug]))
    response = render(request, "blog/post.html", {"post": post})
    return _with_last_modified(response, post.updated_at)


@public_page
def tag(request: HttpRequest, tag: str) -> HttpResponse:
    posts, next_cursor = selectors.published_posts_tagged(tag=tag, limit=PAGE_SIZE, cursor=request.GET.get("cursor"))
    name = dict(posts[0].tag_links).get(tag, tag) if posts else tag
    return _listing(request, posts, next_cursor, heading=f"Tagged “{name}”", tag=tag, empty_is_404=True)


@public_page
def author(request: HttpRequest, author_sub: str) -> HttpResponse:
    posts, next_cursor = selectors.published_posts_by_author(
        author_sub=author_sub, limit=PAGE_SIZE, cursor=request.GET.get("cursor")
    )
    names = [b["name"] for post in posts[:1] for b in post.bylines if b["sub"] == author_sub]
    name = names[0] if names else ""
    return _listing(request, posts, next_cursor, heading=f"Posts by {name}", author_name=name, empty_is_404=True)


@public_page
def archive(request: HttpRequest) -> HttpResponse:
    months, next_cursor = selectors.archive_months(cursor=request.GET.get("cursor"))
    archive_months = [
        {
            "year": term.name[:4],
            "month": term.name[5:],
            "date": datetime.strptime(term.name, "%Y-%m"),
            "count": term.post_count,
        }
        for term in months
    ]
    context = {"months": archive_months, "next_cursor": next_cursor, "tags": selectors.top_tags()}
    return render(request, "blog/archive.html", {**context, "top_tags": selectors.TOP_TAGS})


@public_page
def archive_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    if not (1 <= month <= 12 and 1 <= year <= 9999):  # what datetime can hold; no post is dated outside it
        raise Http404
    posts, next_cursor = selectors.published_posts_in_month(
        year=year, month=month, limit=PAGE_SIZE * 2, cursor=request.GET.get("cursor")
    )
    heading = f"Posts from {datetime(year, month, 1):%B %Y}"
    return _listing(request, posts, next_cursor, heading=heading, empty_is_404=True)


rss_feed = public_page(feeds.rss_feed)
atom_feed = public_page(feeds.atom_feed)


# --- Site root -----------------------------------------------------------------------------


@public_page
def sitemap(request: HttpRequest) -> HttpResponse:
    response = sitemaps_views.sitemap(
        request, feeds.SITEMAPS, template_name="blog/sitemap.xml", content_type="application/xml; charset=utf-8"
    )
    return _with_last_modified(response.render(), selectors.last_modified(selectors.sitemap_posts()))


@public_page(max_age=3600, s_maxage=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /api/",
        "Disallow: /dev/",
        "Allow: /api/blog/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('blog-root:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def media(request: HttpRequest, name: str) -> HttpResponse:
    """An image rendition from the bucket, where no CDN serves `media/` directly (local development).

    Content-hashed names never change meaning, so the answer is cacheable forever.
    """
    match = _MEDIA_NAME.match(name)
    if not match:
        raise Http404
    key = f"media/blog/{name}"
    if storage.object_head(key) is None:
        raise Http404
    response = HttpResponse(storage.object_read(key), content_type=_MEDIA_TYPES[match.group(1)])
    response["ETag"] = f'"{name}"'
    return make_cacheable(request, response, max_age=31_536_000, s_maxage=31_536_000, immutable=True)
