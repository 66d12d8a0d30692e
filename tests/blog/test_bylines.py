"""Multiple bylines: staff co-authors, who may edit per their role, shown on the post, the feeds and each archive."""

from __future__ import annotations

from django.core.management import call_command

from blog import selectors, services
from blog.models import AuthoredPost, CoauthoredPost, Post
from tests.blog.conftest import unique_title


def test_an_author_adds_a_co_author_who_then_edits_and_is_shown_everywhere(
    bearer_client, client, api_client, author, make_user
):
    grace = make_user(groups=("contributors",), name="Grace Cowriter")
    mine = bearer_client(author)
    created = mine.post("/api/blog/admin/posts", {"title": unique_title("Together")}, format="json").json()

    # The contributor cannot see it yet.
    assert bearer_client(grace).get(f"/api/blog/admin/posts/{created['id']}").status_code == 404
    added = mine.post(
        f"/api/blog/admin/posts/{created['id']}/authors", {"author_ids": [author.sub, grace.sub]}, format="json"
    )
    assert added.status_code == 200
    assert added.json()["authors"] == [
        {"id": author.sub, "name": author.name},
        {"id": grace.sub, "name": grace.name},
    ]
    assert added.json()["author_id"] == author.sub  # the first byline is the primary

    theirs = bearer_client(grace)
    coauthored = theirs.get("/api/blog/admin/posts", {"coauthored": "true"}).json()["results"]
    assert [post["id"] for post in coauthored] == [created["id"]]
    assert created["id"] not in [post["id"] for post in theirs.get("/api/blog/admin/posts").json()["results"]]
    edited = theirs.patch(
        f"/api/blog/admin/posts/{created['id']}",
        {"title": "Co-written", "version": added.json()["version"]},
        format="json",
    )
    assert edited.status_code == 200
    assert theirs.post(f"/api/blog/admin/posts/{created['id']}/publish", {}, format="json").status_code == 403
    published = mine.post(f"/api/blog/admin/posts/{created['id']}/publish", {}, format="json").json()

    page = client.get(f"/blog/{published['slug']}/").content.decode()
    assert f'href="/blog/author/{author.sub}/" rel="author">{author.name}</a> and <a' in page
    assert f'href="/blog/author/{grace.sub}/" rel="author">{grace.name}</a>' in page
    archive = client.get(f"/blog/author/{grace.sub}/")
    assert archive.status_code == 200
    assert "Co-written" in archive.content.decode()
    assert f"Posts by {grace.name}" in archive.content.decode()
    assert "Co-written" in client.get(f"/blog/author/{author.sub}/").content.decode()
    feed = client.get("/blog/rss.xml").content.decode()
    assert f"{author.name} and {grace.name}" in feed
    public = api_client.get(f"/api/blog/posts/{published['slug']}").json()
    assert [byline["id"] for byline in public["authors"]] == [author.sub, grace.sub]

    # Published, the post is no longer the contributor's to change.
    assert (
        theirs.patch(
            f"/api/blog/admin/posts/{created['id']}",
            {"title": "Mine now", "version": published["version"]},
            format="json",
        ).status_code
        == 403
    )


def test_only_staff_can_be_co_authors_and_only_the_posts_own_authors_or_editors_name_them(
    bearer_client, author, editor, user, make_user
):
    other = make_user(groups=("authors",), name="Other Author")
    post = services.post_create(author_sub=author.sub, author_name=author.name, title=unique_title())
    url = f"/api/blog/admin/posts/{post.post_id}/authors"

    reader = bearer_client(author).post(url, {"author_ids": [author.sub, user.sub]}, format="json")
    assert reader.status_code == 422
    assert reader.json()["error"]["code"] == "unknown_author"
    nobody = bearer_client(author).post(url, {"author_ids": [author.sub, "no-such-user"]}, format="json")
    assert nobody.status_code == 422
    leaving = bearer_client(author).post(url, {"author_ids": [other.sub]}, format="json")
    assert leaving.status_code == 400
    assert bearer_client(other).post(url, {"author_ids": [other.sub, author.sub]}, format="json").status_code == 404
    assert selectors.post_get(post_id=post.post_id).version == post.version  # nothing changed

    # An editor names anyone on the staff, and may change the primary author.
    changed = bearer_client(editor).post(url, {"author_ids": [other.sub, author.sub]}, format="json")
    assert changed.status_code == 200
    assert changed.json()["author_id"] == other.sub
    assert [b["id"] for b in changed.json()["authors"]] == [other.sub, author.sub]
    revisions = bearer_client(editor).get(f"/api/blog/admin/posts/{post.post_id}/revisions").json()["results"]
    assert revisions[0]["action"] == "authors"


def test_unpublishing_and_deleting_take_the_post_off_every_authors_archive(make_user, author):
    grace = make_user(groups=("authors",), name="Grace")
    post = services.post_create(author_sub=author.sub, author_name=author.name, title=unique_title())
    post = services.post_authors_set(post_id=post.post_id, author_ids=[author.sub, grace.sub])
    post = services.post_publish(post_id=post.post_id)
    assert {entry.post_id for entry in AuthoredPost.query(grace.sub)} == {post.post_id}
    post = services.post_unpublish(post_id=post.post_id)
    assert list(AuthoredPost.query(grace.sub)) == []
    post = services.post_publish(post_id=post.post_id)
    post = services.post_authors_set(post_id=post.post_id, author_ids=[author.sub])
    assert list(AuthoredPost.query(grace.sub)) == []
    post = services.post_authors_set(post_id=post.post_id, author_ids=[author.sub, grace.sub])
    assert [entry.post_id for entry in CoauthoredPost.query(grace.sub)] == [post.post_id]
    services.post_delete(post_id=post.post_id, version=post.version)
    assert list(AuthoredPost.query(author.sub)) == []
    assert list(CoauthoredPost.query(grace.sub)) == []


def test_the_backfill_lists_posts_published_before_the_listing(make_post, author):
    post = make_post()
    for entry in AuthoredPost.query(author.sub):
        entry.delete()
    call_command("blog_bylines_backfill", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [entry.post_id for entry in AuthoredPost.query(author.sub)] == [post.post_id]
    assert Post.get(post.post_id).bylines == [{"sub": author.sub, "name": author.name}]


def test_the_editor_page_adds_and_removes_co_authors_by_email(browser_client, author, make_user):
    grace = make_user(groups=("contributors",), name="Grace Page")
    post = services.post_create(author_sub=author.sub, author_name=author.name, title=unique_title())
    page = browser_client(author)
    url = f"/admin/blog/{post.post_id}/authors/"
    assert page.post(url, {"email": grace.email, "version": post.version}).status_code == 302
    post = selectors.post_get(post_id=post.post_id)
    assert [b["sub"] for b in post.bylines] == [author.sub, grace.sub]
    editor_page = page.get(f"/admin/blog/{post.post_id}/").content.decode()
    assert "Remove Grace Page" in editor_page
    theirs = browser_client(grace)
    assert theirs.get(f"/admin/blog/{post.post_id}/").status_code == 200
    listing = theirs.get("/admin/blog/").content.decode()
    assert "Co-written with others" in listing
    assert post.title in listing.split("Co-written with others")[1]
    assert page.post(url, {"remove": grace.sub, "version": post.version}).status_code == 302
    assert [b["sub"] for b in selectors.post_get(post_id=post.post_id).bylines] == [author.sub]
    assert post.title not in theirs.get("/admin/blog/").content.decode()
    assert selectors.posts_coauthored(author_sub=grace.sub) == ([], None)
