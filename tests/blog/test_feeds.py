"""RSS 2.0 and Atom feeds parse and carry the newest published posts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

ATOM = "{http://www.w3.org/2005/Atom}"


def test_rss_is_valid_rss_2_with_the_post(make_post):
    post = make_post(tags=["python"], body_markdown="Body with ![pic](https://example.com/a.png)")
    draft = make_post(publish=False)
    response = Client().get("/blog/rss.xml")
    assert response["Content-Type"].startswith("application/rss+xml")

    root = ET.fromstring(response.content)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "MySite blog"
    items = {item.findtext("title"): item for item in channel.findall("item")}
    assert post.title in items
    assert draft.title not in items
    item = items[post.title]
    assert item.findtext("link") == f"http://testserver/blog/{post.slug}/"
    assert item.findtext("guid") == f"http://testserver/blog/{post.slug}/"
    assert item.findtext("category") == "python"
    assert item.findtext("pubDate")
    assert "https://example.com/a.png" in item.findtext("description")


def test_atom_is_valid_atom_with_the_post(make_post):
    post = make_post()
    response = Client().get("/blog/atom.xml")
    assert response["Content-Type"].startswith("application/atom+xml")

    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == "http://testserver/blog/atom.xml"
    entries = {entry.findtext(f"{ATOM}title"): entry for entry in root.findall(f"{ATOM}entry")}
    entry = entries[post.title]
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/blog/{post.slug}/"
    assert entry.findtext(f"{ATOM}updated")
    assert entry.findtext(f"{ATOM}published")
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Ada Author"


def test_relative_media_urls_become_absolute_in_feeds():
    from blog.feeds import absolutize

    fragment = '<img src="/media/blog/a-320.jpg" srcset="/media/blog/a-320.jpg 320w, /media/blog/a-640.jpg 640w">'
    assert absolutize(fragment, "https://blog.example") == (
        '<img src="https://blog.example/media/blog/a-320.jpg" '
        'srcset="https://blog.example/media/blog/a-320.jpg 320w, https://blog.example/media/blog/a-640.jpg 640w">'
    )


def test_feeds_are_valid_for_a_feed_reader(make_post, client):
    import feedparser

    post = make_post(tags=["python"])
    for url, version in (("/blog/rss.xml", "rss20"), ("/blog/atom.xml", "atom10")):
        response = client.get(url)
        parsed = feedparser.parse(response.content)
        assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
        assert parsed.version == version
        entry = next(entry for entry in parsed.entries if entry.title == post.title)
        assert entry.link == f"http://testserver/blog/{post.slug}/"
        assert entry.id == f"http://testserver/blog/{post.slug}/"
        assert [tag.term for tag in entry.tags] == ["python"]
        assert entry.author == "Ada Author"
        assert response["Last-Modified"]
        assert "s-maxage=300" in response["Cache-Control"]
        assert response["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_sitemap_carries_lastmod_and_cache_headers(make_post, client):
    post = make_post()
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {node.findtext("s:loc", namespaces=ns): node for node in root.findall("s:url", ns)}
    assert urls["http://testserver/blog/"].findtext("s:changefreq", namespaces=ns) == "daily"
    assert urls[f"http://testserver/blog/{post.slug}/"].findtext("s:lastmod", namespaces=ns)
    assert "http://testserver/blog/archive/" in urls
    assert response["Last-Modified"]
    assert "s-maxage=300" in response["Cache-Control"]


@pytest.mark.parametrize("feed_type", ["RssFeed", "AtomFeed"])
def test_a_feed_without_posts_has_a_settled_date_not_the_time_of_the_request(feed_type):
    from datetime import UTC, datetime

    from blog import feeds

    empty = getattr(feeds, feed_type)(title="t", link="http://testserver/", description="d")
    assert empty.latest_post_date() == datetime(1970, 1, 1, tzinfo=UTC)
    dated = getattr(feeds, feed_type)(title="t", link="http://testserver/", description="d")
    dated.add_item(title="p", link="http://testserver/p/", description="", pubdate=datetime(2026, 5, 1, tzinfo=UTC))
    assert dated.latest_post_date() == datetime(2026, 5, 1, tzinfo=UTC)
