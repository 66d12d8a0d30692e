"""The blog across containers: a post retitled through one origin shows its new title on every other."""

from __future__ import annotations

import uuid

import pytest

from blog import services
from tests.multicontainer.conftest import assert_write_seen_everywhere


@pytest.fixture
def published(author):
    tag = f"tag-{uuid.uuid4().hex[:8]}"
    post = services.post_create(
        author_sub=author.sub,
        author_name=author.name,
        title=f"Old title {uuid.uuid4().hex[:8]}",
        body_markdown="Body text.",
        tags=[tag],
    )
    return services.post_publish(post_id=post.post_id, version=post.version), tag


def public_paths(post, tag: str) -> dict[str, str]:
    month = post.published_at
    return {
        "home": "/blog/",
        "post": f"/blog/{post.slug}/",
        "tag": f"/blog/tag/{tag}/",
        "archive": f"/blog/archive/{month:%Y}/{month:%m}/",
        "author": f"/blog/author/{post.author_sub}/",
        "rss": "/blog/rss.xml",
        "atom": "/blog/atom.xml",
        "api list": "/api/blog/posts",
        "api post": f"/api/blog/posts/{post.slug}",
        "api tag": f"/api/blog/tags/{tag}/posts",
    }


def test_a_retitled_post_shows_its_new_title_on_every_page_of_every_container(cluster, author, published):
    post, tag = published
    old_title, new_title = post.title, post.title.replace("Old", "New")
    paths = public_paths(post, tag)
    token = author.access_token

    def titles(origin) -> dict[str, str]:
        shown = {}
        for name, path in paths.items():
            body = origin.get(path).text
            shown[name] = "new" if new_title in body else "old" if old_title in body else "neither"
        return shown

    def retitle():
        response = cluster.writer.request(
            "POST",
            f"/api/blog/admin/posts/{post.post_id}/update",
            token=token,
            json={"title": new_title, "body_markdown": post.body_markdown, "tags": [tag], "version": post.version},
        )
        assert response.status_code == 200, response.text

    assert_write_seen_everywhere(
        cluster, read=titles, write=retitle, before=dict.fromkeys(paths, "old"), after=dict.fromkeys(paths, "new")
    )


def test_an_unpublished_post_is_gone_from_every_container(cluster, author, published):
    post, _ = published
    token = author.access_token

    def status(origin):
        return origin.get(f"/blog/{post.slug}/").status_code, origin.get(f"/api/blog/posts/{post.slug}").status_code

    def unpublish():
        response = cluster.writer.request(
            "POST", f"/api/blog/admin/posts/{post.post_id}/unpublish", token=token, json={"version": post.version}
        )
        assert response.status_code == 200, response.text

    assert_write_seen_everywhere(cluster, read=status, write=unpublish, before=(200, 200), after=(404, 404))


def test_a_stale_etag_of_a_post_page_gets_the_new_page_not_a_304(cluster, author, published):
    post, tag = published
    new_title = post.title.replace("Old", "Newer")
    etag = cluster.writer.get(f"/blog/{post.slug}/").headers["ETag"]

    def conditional(origin):
        response = origin.get(f"/blog/{post.slug}/", headers={"If-None-Match": etag})
        return response.status_code, new_title in response.text

    def retitle():
        response = cluster.writer.request(
            "POST",
            f"/api/blog/admin/posts/{post.post_id}/update",
            token=author.access_token,
            json={"title": new_title, "body_markdown": post.body_markdown, "tags": [tag], "version": post.version},
        )
        assert response.status_code == 200, response.text

    assert_write_seen_everywhere(cluster, read=conditional, write=retitle, before=(304, False), after=(200, True))
