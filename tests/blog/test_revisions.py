"""Every save keeps a revision; restoring one saves it again; old slugs answer 301, deleted posts 410."""

from __future__ import annotations

import pytest

from blog import selectors, services
from blog.errors import RevisionNotFound
from blog.models import PostRevision
from tests.blog.conftest import unique_tag, unique_title

EDITOR = services.SavedBy("sub-of-eddie", "Eddie Editor")


def test_every_save_keeps_a_revision_with_who_when_and_what(make_post, author):
    post = make_post(publish=False, tags=["One"])
    edited = services.post_update(
        post_id=post.post_id, version=post.version, title="Second title", body_markdown="Second body", by=EDITOR
    )
    published = services.post_publish(post_id=post.post_id, version=edited.version, by=EDITOR)
    revisions, next_cursor = selectors.post_revisions(post_id=post.post_id)
    assert next_cursor is None
    assert [(r.number, r.action, r.status) for r in revisions] == [
        (3, "publish", "published"),
        (2, "edit", "draft"),
        (1, "create", "draft"),
    ]
    first = revisions[-1]
    assert (first.title, first.tag_names, first.saved_by_sub, first.saved_by_name) == (
        post.title,
        ["One"],
        author.sub,
        author.name,
    )
    assert (revisions[1].title, revisions[1].body_markdown, revisions[1].saved_by_name) == (
        "Second title",
        "Second body",
        "Eddie Editor",
    )
    assert revisions[0].saved_at == published.updated_at
    assert [r.number for r in revisions] == [published.version, edited.version, post.version]


def test_a_refused_save_leaves_no_revision(make_post):
    post = make_post(publish=False)
    services.post_update(post_id=post.post_id, version=post.version, title="Winner", body_markdown="w")
    with pytest.raises(services.PostVersionConflict):
        services.post_update(post_id=post.post_id, version=post.version, title="Loser", body_markdown="l")
    assert [r.title for r in selectors.post_revisions(post_id=post.post_id)[0]] == ["Winner", post.title]


def test_the_diff_shows_what_a_revision_changed(make_post):
    post = make_post(publish=False, body_markdown="line one\nline two\n")
    services.post_update(
        post_id=post.post_id, version=post.version, title=post.title, body_markdown="line one\nline 2\n"
    )
    newer, older = selectors.post_revisions(post_id=post.post_id)[0]
    diff = selectors.revision_diff(newer, older)
    assert ("remove", "line two") in diff
    assert ("add", "line 2") in diff
    assert ("context", "line one") in diff
    assert not any(kind in ("add", "remove") and line.startswith("Title") for kind, line in diff)


def test_restoring_saves_the_old_content_as_a_new_revision(make_post, client):
    tag = unique_tag()
    post = make_post(tags=[tag], body_markdown="Original body")
    changed = services.post_update(
        post_id=post.post_id,
        version=post.version,
        title="Changed title",
        body_markdown="Changed body",
        slug=f"changed-{tag}",
        tags=[],
    )
    restored = services.post_restore(post_id=post.post_id, number=1, version=changed.version, by=EDITOR)
    assert (restored.title, restored.body_markdown, restored.slug, restored.tags) == (
        post.title,
        "Original body",
        post.slug,
        [tag],
    )
    assert restored.status == "published"  # the content comes back; the status stays as it is
    newest = selectors.post_revisions(post_id=post.post_id)[0][0]
    assert (newest.number, newest.action, newest.restored_from, newest.saved_by_name) == (
        restored.version,
        "restore",
        1,
        "Eddie Editor",
    )
    assert PostRevision.count(post.post_id) == 4  # create, publish, edit, restore: nothing rewritten
    assert [p.post_id for p in selectors.published_posts_tagged(tag=tag)[0]] == [post.post_id]
    assert client.get(f"/blog/{post.slug}/").status_code == 200  # its first slug is its own again
    assert client.get(f"/blog/changed-{tag}/")["Location"] == f"/blog/{post.slug}/"
    with pytest.raises(RevisionNotFound):
        services.post_restore(post_id=post.post_id, number=99, version=restored.version)


def test_every_old_slug_answers_301_to_the_post_and_a_deleted_post_410(make_post, client, api_client):
    post = make_post()
    slugs = [post.slug]
    current = post
    for n in range(2):
        slug = f"{post.slug}-renamed-{n}"
        current = services.post_update(
            post_id=post.post_id, version=current.version, title=post.title, body_markdown="x", slug=slug
        )
        slugs.append(slug)
    for old in slugs[:-1]:
        moved = client.get(f"/blog/{old}/")
        assert moved.status_code == 301
        assert moved["Location"] == f"/blog/{slugs[-1]}/"
        api = api_client.get(f"/api/blog/posts/{old}")
        assert api.status_code == 301
        assert api["Location"] == f"/api/blog/posts/{slugs[-1]}"
    assert client.get(f"/blog/{slugs[-1]}/").status_code == 200

    other = make_post(title=unique_title())
    with pytest.raises(services.SlugTaken):  # an old address never points at another post
        services.post_update(
            post_id=other.post_id, version=other.version, title=other.title, body_markdown="y", slug=slugs[0]
        )

    services.post_delete(post_id=post.post_id, version=current.version)
    for slug in slugs:
        gone = client.get(f"/blog/{slug}/")
        assert gone.status_code == 410, slug
    assert api_client.get(f"/api/blog/posts/{slugs[-1]}").json()["error"]["code"] == "post_gone"
    assert client.get(f"/blog/never-{unique_tag()}/").status_code == 404


def test_a_deleted_draft_answers_410_too(make_post, client):
    draft = make_post(publish=False)
    assert client.get(f"/blog/{draft.slug}/").status_code == 404  # never public
    services.post_delete(post_id=draft.post_id, version=draft.version)
    assert client.get(f"/blog/{draft.slug}/").status_code == 410


def test_revisions_through_the_api(bearer_client, author, user):
    api = bearer_client(author)
    post = api.post("/api/blog/admin/posts", {"title": unique_title(), "body_markdown": "One"}, format="json").json()
    url = f"/api/blog/admin/posts/{post['id']}"
    api.patch(url, {"body_markdown": "Two"}, HTTP_IF_MATCH='"v1"', format="json")
    listed = api.get(f"{url}/revisions", {"limit": 1}).json()
    assert [(r["number"], r["action"], r["body_markdown"]) for r in listed["results"]] == [(2, "edit", "Two")]
    assert listed["results"][0]["saved_by_name"] == author.name
    older = api.get(f"{url}/revisions", {"limit": 1, "cursor": listed["next_cursor"]}).json()
    assert [r["number"] for r in older["results"]] == [1]

    assert api.post(f"{url}/revisions/1/restore", format="json").status_code == 428
    stale = api.post(f"{url}/revisions/1/restore", HTTP_IF_MATCH='"v1"', format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["body_markdown"] == "Two"
    restored = api.post(f"{url}/revisions/1/restore", HTTP_IF_MATCH='"v2"', format="json")
    assert restored.status_code == 200
    assert (restored.json()["body_markdown"], restored.json()["version"]) == ("One", 3)
    assert restored["ETag"] == '"v3"'
    missing = api.post(f"{url}/revisions/9/restore", {"version": 3}, format="json")
    assert missing.json()["error"]["code"] == "revision_not_found"
    assert api.get("/api/blog/admin/posts/nope/revisions").status_code == 404
    assert bearer_client(user).get(f"{url}/revisions").status_code == 403
