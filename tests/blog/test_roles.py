"""The staff roles' authorization matrix: every authors' API operation and admin page, per role, own and other post.

Each row states the status a role gets, for a post of its own and for another writer's post; a refusal
must leave the post exactly as it was (same version, same status, still there) and create nothing.
Another writer's post is invisible to contributors and authors (404), never merely forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from blog import services
from blog.models import Post, utcnow
from blog.permissions import ADMINISTRATOR, AUTHOR, CONTRIBUTOR, EDITOR
from blog.services import staff as staff_services
from tests.blog.conftest import unique_title

READER, ANONYMOUS = "reader", "anonymous"
ROLES = (CONTRIBUTOR, AUTHOR, EDITOR, ADMINISTRATOR, READER, ANONYMOUS)
GROUP = {CONTRIBUTOR: "contributors", AUTHOR: "authors", EDITOR: "editors", ADMINISTRATOR: "administrators"}


@dataclass
class Actor:
    role: str
    sub: str | None
    api: APIClient
    browser: Client


@pytest.fixture
def actor_for(make_user, bearer_client, browser_client):
    def make(role: str) -> Actor:
        if role == ANONYMOUS:
            return Actor(role, None, APIClient(), Client())
        user = make_user(groups=(GROUP[role],) if role in GROUP else (), name=f"A {role}")
        return Actor(role, user.sub, bearer_client(user), browser_client(user))

    return make


@pytest.fixture
def other_writer(make_user):
    return make_user(groups=("authors",), name="Olga Other")


def make_post(owner_sub: str, *, status: str = "draft") -> Post:
    post = services.post_create(author_sub=owner_sub, author_name="Owner", title=unique_title(), body_markdown="Body")
    post = services.post_update(post_id=post.post_id, version=post.version, title=post.title, body_markdown="Edited")
    if status == "published":
        post = services.post_publish(post_id=post.post_id, version=post.version)
    return post


def unchanged(post: Post) -> bool:
    try:
        now = Post.get(post.post_id, consistent_read=True)
    except Post.DoesNotExist:
        return False
    return now.version == post.version and now.status == post.status and now.title == post.title


def post_cases(actor: Actor, operations, other_writer):
    """Each operation on a fresh post of another writer's and, for a signed-in actor, on one of its own:
    (case, post, call, expected status)."""
    for name, status, call, (own_status, other_status) in operations:
        owners = [("other", other_writer.sub, other_status)]
        if actor.sub:
            owners.append(("own", actor.sub, own_status))
        for whose, owner, expected in owners:
            yield f"{name} ({whose})", make_post(owner, status=status), call, expected


def future() -> str:
    return (utcnow() + timedelta(days=3)).isoformat()


# --- The expected statuses ------------------------------------------------------------------------
# (own, other) per role; for a reader "own" is a post still under their name (a writer who lost the role).
N, F, U = 404, 403, 401
STAFF = {CONTRIBUTOR, AUTHOR, EDITOR, ADMINISTRATOR}


def expect_api(role: str, ok: int, *, contributor_own: int | None = None, author_own: int | None = None):
    """Statuses (own, other): editors/administrators `ok` on both; contributors/authors `ok` (or as given) on their
    own and 404 on others'; readers 403; anonymous 401."""
    if role == ANONYMOUS:
        return (U, U)
    if role == READER:
        return (F, F)
    if role in (EDITOR, ADMINISTRATOR):
        return (ok, ok)
    own = {CONTRIBUTOR: contributor_own, AUTHOR: author_own}[role]
    return (ok if own is None else own, N)


def api_post_operations(role: str):
    """(name, post status, call(client, post) -> response, (own, other)) for every operation on one post."""
    base = "/api/blog/admin/posts"

    def send(method: str, action: str = "", **body):
        """A call of `method` on the post (or its `action` sub-resource) with the post's version in the body."""
        return lambda c, p: getattr(c, method)(
            f"{base}/{p.post_id}{action}", {"version": p.version, **body}, format="json"
        )

    def set_authors(c, p):
        return c.post(
            f"{base}/{p.post_id}/authors", {"author_ids": [p.author_sub], "version": p.version}, format="json"
        )

    editing_published = expect_api(role, 200, contributor_own=F)
    return [
        ("retrieve", "draft", lambda c, p: c.get(f"{base}/{p.post_id}"), expect_api(role, 200)),
        ("edit draft", "draft", send("patch", title="Changed"), expect_api(role, 200)),
        ("edit published", "published", send("patch", title="Changed"), editing_published),
        ("delete draft", "draft", send("delete"), expect_api(role, 204)),
        ("delete published", "published", send("delete"), expect_api(role, 204, contributor_own=F)),
        ("publish", "draft", send("post", "/publish"), expect_api(role, 200, contributor_own=F)),
        ("schedule", "draft", send("post", "/schedule", publish_at=future()), expect_api(role, 200, contributor_own=F)),
        ("unpublish", "published", send("post", "/unpublish"), expect_api(role, 200, contributor_own=F)),
        ("submit for review", "draft", send("post", "/submit"), expect_api(role, 200)),
        ("revisions", "draft", lambda c, p: c.get(f"{base}/{p.post_id}/revisions"), expect_api(role, 200)),
        ("restore draft", "draft", send("post", "/revisions/1/restore"), expect_api(role, 200)),
        ("restore published", "published", send("post", "/revisions/1/restore"), editing_published),
        ("set authors of a draft", "draft", set_authors, expect_api(role, 200)),
        ("set authors of a published post", "published", set_authors, editing_published),
        ("legacy update", "draft", send("post", "/update", title="Changed"), expect_api(role, 200)),
        ("legacy delete", "draft", send("post", "/delete"), expect_api(role, 204)),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_api_post_operations_by_role(role, actor_for, other_writer):
    actor = actor_for(role)
    wrong = []
    for case, post, call, expected in post_cases(actor, api_post_operations(role), other_writer):
        response = call(actor.api, post)
        if response.status_code != expected:
            wrong.append(f"{case}: {response.status_code}, expected {expected}")
        elif expected >= 400:
            if not unchanged(post):
                wrong.append(f"{case}: refused with {expected} but the post changed")
            if "error" not in response.json():
                wrong.append(f"{case}: refusal without the error shape")
            if expected == N and response.json()["error"]["code"] != "post_not_found":
                wrong.append(f"{case}: 404 is not the post's")
    assert wrong == []


def own_posts(sub: str | None) -> list[Post]:
    return list(Post.by_writer.query(sub)) if sub else []


@pytest.mark.parametrize("role", ROLES)
def test_api_list_create_and_tools_by_role(role, actor_for, other_writer):
    actor = actor_for(role)
    denied = {ANONYMOUS: U, READER: F}.get(role)
    mine = make_post(actor.sub) if actor.sub else None
    theirs = make_post(other_writer.sub)

    listing = actor.api.get("/api/blog/admin/posts", {"limit": 50})
    assert listing.status_code == (denied or 200)
    if not denied:
        ids = {post["id"] for post in listing.json()["results"]}
        assert mine.post_id in ids
        assert (theirs.post_id in ids) == (role in (EDITOR, ADMINISTRATOR))
        if role in (CONTRIBUTOR, AUTHOR):
            assert {post["author_id"] for post in listing.json()["results"]} == {actor.sub}

    before = len(own_posts(actor.sub))
    created = actor.api.post("/api/blog/admin/posts", {"title": unique_title()}, format="json")
    assert created.status_code == (denied or 201)
    assert len(own_posts(actor.sub)) == before + (0 if denied else 1)

    preview = actor.api.post("/api/blog/admin/preview", {"body_markdown": "*hi*"}, format="json")
    assert preview.status_code == (denied or 200)
    upload = actor.api.post(
        "/api/blog/admin/images", {"filename": "a.png", "content_type": "image/png", "size": 100}, format="json"
    )
    assert upload.status_code == (denied or 201)
    if not denied:
        image = actor.api.get(f"/api/blog/admin/images/{upload.json()['image']['id']}")
        assert image.status_code == 200
    coauthored = actor.api.get("/api/blog/admin/posts", {"coauthored": "true"})
    assert coauthored.status_code == (denied or 200)

    readers = actor.api.get("/api/blog/admin/readers")
    assert readers.status_code == (denied or (200 if role in (EDITOR, ADMINISTRATOR) else F))
    if readers.status_code >= 400:
        assert "error" in readers.json()

    # The staff: administrators only; a refused role change changes no group.
    assert actor.api.get("/api/blog/admin/staff").status_code == (denied or (200 if role == ADMINISTRATOR else F))
    change = actor.api.patch(f"/api/blog/admin/staff/{other_writer.sub}", {"role": "editor"}, format="json")
    assert change.status_code == (denied or (200 if role == ADMINISTRATOR else F))
    expected_role = "editor" if role == ADMINISTRATOR else "author"
    assert staff_services.staff_member(sub=other_writer.sub).role == expected_role


# --- The admin pages --------------------------------------------------------------------------------


def expect_page(role: str, ok: int, *, contributor_own: int | None = None, author_own: int | None = None):
    """Like expect_api, but the panel is 404 to readers and sends anonymous visitors to sign in (302)."""
    if role == ANONYMOUS:
        return (302, 302)
    if role == READER:
        return (N, N)
    return expect_api(role, ok, contributor_own=contributor_own, author_own=author_own)


def page_post_operations(role: str):
    """Like api_post_operations, for the authors' panel: its pages and forms."""
    admin = "/admin/blog"

    def view(page: str = ""):
        return lambda c, p: c.get(f"{admin}/{p.post_id}/{page}")

    def send(page: str = "", **form):
        """A form posted to the post's `page` with the post's version."""
        return lambda c, p: c.post(f"{admin}/{p.post_id}/{page}", {"version": p.version, **form})

    def edit(action: str, **extra):
        """The editor form, submitted with the button `action`."""
        return send(title="Changed", body_markdown="x", action=action, **extra)

    editing_published = expect_page(role, 302, contributor_own=F)
    return [
        ("editor page", "draft", view(), expect_page(role, 200)),
        ("save draft", "draft", edit("save"), expect_page(role, 302)),
        ("save published", "published", edit("save"), editing_published),
        ("publish", "draft", edit("publish"), editing_published),
        ("schedule", "draft", edit("schedule", publish_at=future()[:16]), editing_published),
        ("unpublish", "published", edit("unpublish"), editing_published),
        ("submit for review", "draft", edit("submit"), expect_page(role, 302)),
        ("delete page", "draft", view("delete/"), expect_page(role, 200)),
        ("delete page of a published post", "published", view("delete/"), expect_page(role, 200, contributor_own=F)),
        ("delete draft", "draft", send("delete/"), expect_page(role, 302)),
        ("delete published", "published", send("delete/"), editing_published),
        ("history", "draft", view("history/"), expect_page(role, 200)),
        ("authors of a draft", "draft", send("authors/", remove="nobody"), expect_page(role, 302)),
        ("authors of a published post", "published", send("authors/", remove="nobody"), editing_published),
        ("restore", "draft", send("history/1/restore/"), expect_page(role, 302)),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_admin_post_pages_by_role(role, actor_for, other_writer):
    actor = actor_for(role)
    wrong = []
    for case, post, call, expected in post_cases(actor, page_post_operations(role), other_writer):
        response = call(actor.browser, post)
        if response.status_code != expected:
            wrong.append(f"{case}: {response.status_code}, expected {expected}")
        elif (expected >= 400 or role == ANONYMOUS) and not unchanged(post):
            wrong.append(f"{case}: refused with {expected} but the post changed")
        elif expected == 302 and role != ANONYMOUS and "sign-in" in response["Location"]:
            wrong.append(f"{case}: sent to sign in")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_admin_list_new_and_readers_pages_by_role(role, actor_for, other_writer):
    actor = actor_for(role)
    staff = role in STAFF
    mine = make_post(actor.sub) if actor.sub else None
    theirs = make_post(other_writer.sub)

    listing = actor.browser.get("/admin/blog/")
    assert listing.status_code == (200 if staff else 302 if role == ANONYMOUS else N)
    if staff:
        page = listing.content.decode()
        assert mine.title in page
        assert (theirs.title in page) == (role in (EDITOR, ADMINISTRATOR))
        nav = page[page.index('<nav class="admin-nav"') : page.index("</nav>", page.index('<nav class="admin-nav"'))]
        # The admin nav links only what the role may open.
        assert ('href="/admin/blog/readers/"' in nav) == (role in (EDITOR, ADMINISTRATOR))
        assert ('href="/admin/blog/staff/"' in nav) == (role == ADMINISTRATOR)

    assert actor.browser.get("/admin/blog/new/").status_code == (200 if staff else 302 if role == ANONYMOUS else N)
    before = len(own_posts(actor.sub))
    published = actor.browser.post("/admin/blog/new/", {"title": unique_title(), "action": "publish"})
    can_publish = role in (AUTHOR, EDITOR, ADMINISTRATOR)
    assert published.status_code == (302 if can_publish or role == ANONYMOUS else F if staff else N)
    saved = actor.browser.post("/admin/blog/new/", {"title": unique_title(), "action": "save"})
    assert saved.status_code == (302 if staff or role == ANONYMOUS else N)
    assert len(own_posts(actor.sub)) == before + (2 if can_publish else 1 if staff else 0)
    if role == CONTRIBUTOR:
        assert "submit the draft for review" in published.content.decode()

    preview = actor.browser.post("/admin/blog/preview/", {"body_markdown": "*x*"})
    assert preview.status_code == (200 if staff else 302 if role == ANONYMOUS else N)
    readers = actor.browser.get("/admin/blog/readers/")
    expected = 200 if role in (EDITOR, ADMINISTRATOR) else 302 if role == ANONYMOUS else N
    assert readers.status_code == expected
    staff_page = actor.browser.get("/admin/blog/staff/")
    assert staff_page.status_code == (200 if role == ADMINISTRATOR else 302 if role == ANONYMOUS else N)
    change = actor.browser.post("/admin/blog/staff/", {"user_id": other_writer.sub, "role": "contributor"})
    assert change.status_code == (302 if role in (ADMINISTRATOR, ANONYMOUS) else N)
    assert staff_services.staff_member(sub=other_writer.sub).role == (
        "contributor" if role == ADMINISTRATOR else "author"
    )
