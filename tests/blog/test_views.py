"""Public blog pages: content, caching headers and 304s, SEO tags, sitemap, robots.txt, media."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from blog import selectors, services
from mysite import storage
from tests.blog.conftest import unique_tag

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def client() -> Client:
    return Client()


def test_home_lists_published_posts_newest_first_and_not_drafts(make_post, client):
    older = make_post()
    newer = make_post()
    draft = make_post(publish=False)

    page = client.get("/blog/").content.decode()

    assert newer.title in page
    assert older.title in page
    assert page.index(newer.title) < page.index(older.title)
    assert draft.title not in page


def test_home_paginates_with_a_cursor(make_post, client):
    posts = [make_post() for _ in range(11)]
    first = client.get("/blog/")
    assert first.context["next_cursor"]
    second = client.get("/blog/", {"cursor": first.context["next_cursor"]})
    first_titles = {p.title for p in first.context["posts"]}
    second_titles = {p.title for p in second.context["posts"]}
    assert len(first_titles) == 10
    assert not first_titles & second_titles
    assert posts[0].title in second_titles  # the oldest of the eleven falls on page two


def test_a_tampered_cursor_is_a_400(client):
    assert client.get("/blog/", {"cursor": "forged"}).status_code == 400


def test_post_page_has_sanitised_body_canonical_and_open_graph(make_post, client):
    post = make_post(
        body_markdown='Hi <script>alert("x")</script> [bad](javascript:alert(1)) <b onclick="steal()">bold</b>',
        custom_excerpt="Short summary",
        tags=["news"],
    )
    response = client.get(f"/blog/{post.slug}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onclick" not in html
    assert "<b>bold</b>" in html
    assert f'<link rel="canonical" href="http://testserver/blog/{post.slug}/">' in html
    assert f'<meta property="og:title" content="{post.title}">' in html
    assert '<meta property="og:description" content="Short summary">' in html
    assert '<meta property="og:type" content="article">' in html
    assert 'href="/blog/tag/news/"' in html


def test_unknown_and_draft_posts_are_404(make_post, client):
    draft = make_post(publish=False)
    assert client.get(f"/blog/{draft.slug}/").status_code == 404
    assert client.get("/blog/no-such-post-anywhere/").status_code == 404


def test_public_pages_are_shared_cacheable_without_cookies(make_post, client):
    post = make_post()
    for path in ("/blog/", f"/blog/{post.slug}/", "/blog/rss.xml", "/blog/atom.xml", "/sitemap.xml", "/blog/archive/"):
        response = client.get(path)
        assert response.status_code == 200, path
        cache_control = response["Cache-Control"]
        assert "public" in cache_control
        assert "s-maxage=300" in cache_control
        assert response.has_header("ETag")
        assert "Cookie" not in response.get("Vary", "")
        assert not response.cookies
    assert client.get(f"/blog/{post.slug}/").has_header("Last-Modified")


def test_conditional_gets_answer_304(make_post, client):
    post = make_post()
    first = client.get(f"/blog/{post.slug}/")

    by_etag = client.get(f"/blog/{post.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(f"/blog/{post.slug}/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_date.status_code == 304
    assert client.get(f"/blog/{post.slug}/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_editing_a_post_changes_its_page_and_etag(make_post, client):
    post = make_post()
    before = client.get(f"/blog/{post.slug}/")
    services.post_update(post_id=post.post_id, version=post.version, title="Retitled", body_markdown="New body")
    after = client.get(f"/blog/{post.slug}/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "Retitled" in after.content.decode()


def test_tag_author_and_month_pages_list_the_right_posts(make_post, author, client):
    tag = unique_tag()
    tagged = make_post(tags=[tag])
    other = make_post()

    tag_page = client.get(f"/blog/tag/{tag}/").content.decode()
    assert tagged.title in tag_page
    assert other.title not in tag_page
    assert client.get(f"/blog/tag/{unique_tag()}/").status_code == 404

    author_page = client.get(f"/blog/author/{author.sub}/").content.decode()
    assert tagged.title in author_page
    assert other.title in author_page

    month = tagged.published_at
    month_page = client.get(f"/blog/archive/{month:%Y}/{month:%m}/").content.decode()
    assert tagged.title in month_page
    archive = client.get("/blog/archive/").content.decode()
    assert f"/blog/archive/{month:%Y}/{month:%m}/" in archive
    top = selectors.top_tags()
    assert top
    assert all(reverse("blog:tag", args=[term.name]) in archive for term in top)


def test_sitemap_lists_published_posts_and_tags_only(make_post, client):
    tag = unique_tag()
    live = make_post(tags=[tag])
    draft = make_post(publish=False)
    response = client.get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    locations = {node.text for node in ET.fromstring(response.content).findall("s:url/s:loc", SITEMAP_NS)}
    assert f"http://testserver/blog/{live.slug}/" in locations
    assert f"http://testserver/blog/tag/{tag}/" in locations
    assert f"http://testserver/blog/{draft.slug}/" not in locations


def test_robots_txt_points_to_the_sitemap_and_hides_the_admin(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_media_view_serves_renditions_immutably_and_refuses_other_keys(client):
    name = "0123456789abcdef01234567-320.webp"
    storage.object_write(f"media/blog/{name}", b"RIFF....WEBP", content_type="image/webp")
    response = client.get(f"/media/blog/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    assert response.content == b"RIFF....WEBP"
    assert client.get("/media/blog/..%2Fuploads%2Fsecret.jpg").status_code == 404
    assert client.get("/media/blog/0123456789abcdef01234567-999.webp").status_code == 404


def test_a_unicode_tag_has_its_own_page_and_links_show_the_display_name(make_post, client):
    suffix = unique_tag()[4:]
    post = make_post(tags=[f"日本語{suffix}", f"C++{suffix}"])
    page = client.get(f"/blog/{post.slug}/").content.decode()
    assert f">#C++{suffix}</a>" in page
    assert f'href="/blog/tag/c-plus-plus{suffix}/"' in page
    from urllib.parse import quote

    tag_page = client.get(f"/blog/tag/{quote(f'日本語{suffix}')}/")
    assert tag_page.status_code == 200
    assert post.title in tag_page.content.decode()
    assert client.get(f"/api/blog/tags/{quote(f'日本語{suffix}')}/posts").json()["results"][0]["slug"] == post.slug
