"""The blog API: public reads with CORS and caching, and the authors' API (403 for others)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from blog.models import utcnow
from tests.blog.conftest import image_bytes, unique_tag, unique_title

ALLOWED_ORIGIN = "https://reader.example"


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN]


@pytest.fixture
def author_api(bearer_client, author) -> APIClient:
    return bearer_client(author)


def test_public_list_detail_and_tag_endpoints(make_post, api_client):
    tag = unique_tag()
    post = make_post(tags=[tag], custom_excerpt="Summary")
    make_post(publish=False, tags=[tag])

    listing = api_client.get("/api/blog/posts", {"limit": 50}).json()
    assert post.slug in [p["slug"] for p in listing["results"]]

    detail = api_client.get(f"/api/blog/posts/{post.slug}").json()
    assert detail["title"] == post.title
    assert detail["excerpt"] == "Summary"
    assert detail["tags"] == [tag]
    assert "<strong>readers</strong>" in detail["body_html"]

    tagged = api_client.get(f"/api/blog/tags/{tag}/posts").json()
    assert [p["slug"] for p in tagged["results"]] == [post.slug]
    assert tagged["next_cursor"] is None


def test_public_api_is_cacheable_and_answers_304(make_post, api_client):
    post = make_post()
    response = api_client.get(f"/api/blog/posts/{post.slug}")
    assert "s-maxage=300" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    again = api_client.get(f"/api/blog/posts/{post.slug}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_public_api_errors(api_client, make_post):
    missing = api_client.get("/api/blog/posts/not-a-post-anywhere")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "post_not_found"
    assert api_client.get("/api/blog/posts", {"cursor": "forged"}).json()["error"]["fields"] == {
        "cursor": ["This cursor is invalid, or belongs to another list."]
    }
    assert "limit" in api_client.get("/api/blog/posts", {"limit": 500}).json()["error"]["fields"]


def test_cors_allows_configured_origins(make_post, api_client, cors):
    post = make_post()
    response = api_client.get(f"/api/blog/posts/{post.slug}", HTTP_ORIGIN=ALLOWED_ORIGIN)
    assert response["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    preflight = api_client.options(
        "/api/blog/posts", HTTP_ORIGIN=ALLOWED_ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_cors_refuses_other_origins_and_other_paths(make_post, api_client, cors):
    post = make_post()
    refused = api_client.get(f"/api/blog/posts/{post.slug}", HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 200  # the browser, not the server, enforces CORS
    assert "Access-Control-Allow-Origin" not in refused
    other_app = api_client.get("/api/accounts/me", HTTP_ORIGIN=ALLOWED_ORIGIN)
    assert "Access-Control-Allow-Origin" not in other_app


def test_authoring_api_is_403_for_readers_and_401_without_credentials(bearer_client, user, api_client):
    reader = bearer_client(user)
    for method, path in (
        ("get", "/api/blog/admin/posts"),
        ("post", "/api/blog/admin/posts"),
        ("post", "/api/blog/admin/images"),
        ("get", "/api/blog/admin/readers"),
    ):
        response = getattr(reader, method)(path, {}, format="json")
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "forbidden"
    assert api_client.get("/api/blog/admin/posts").status_code == 401


def test_author_creates_edits_publishes_and_deletes_through_the_api(author_api, api_client):
    title = unique_title()
    created = author_api.post(
        "/api/blog/admin/posts", {"title": title, "body_markdown": "Hello", "tags": ["A b"]}, format="json"
    )
    assert created.status_code == 201
    post = created.json()
    assert created["Location"] == f"/api/blog/admin/posts/{post['id']}"
    assert created["ETag"] == '"v1"'
    assert post["status"] == "draft"
    assert post["tags"] == ["a-b"]
    assert api_client.get(f"/api/blog/posts/{post['slug']}").status_code == 404

    updated = author_api.patch(
        f"/api/blog/admin/posts/{post['id']}", {"body_markdown": "Changed"}, HTTP_IF_MATCH='"v1"', format="json"
    )
    assert updated["ETag"] == '"v2"'
    assert updated.json()["version"] == 2
    assert updated.json()["title"] == title  # a field left out keeps its value
    assert updated.json()["tags"] == ["a-b"]
    published = author_api.post(f"/api/blog/admin/posts/{post['id']}/publish", format="json").json()
    assert published["status"] == "published"
    assert api_client.get(f"/api/blog/posts/{post['slug']}").json()["body_html"] == "<p>Changed</p>"

    deleted = author_api.delete(f"/api/blog/admin/posts/{post['id']}", HTTP_IF_MATCH='"v3"')
    assert deleted.status_code == 204
    assert author_api.get(f"/api/blog/admin/posts/{post['id']}").status_code == 404


def test_stale_version_is_409_with_the_current_post(author_api):
    post = author_api.post("/api/blog/admin/posts", {"title": unique_title()}, format="json").json()
    author_api.patch(f"/api/blog/admin/posts/{post['id']}", {"version": 1, "title": "Theirs"}, format="json")
    stale = author_api.patch(
        f"/api/blog/admin/posts/{post['id']}", {"title": "Mine"}, HTTP_IF_MATCH='"v1"', format="json"
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["current"]["title"] == "Theirs"
    assert error["current"]["version"] == 2
    assert error["current"]["body_html"] == ""  # the post as GET shows it, not a summary
    assert set(error["current"]) == set(author_api.get(f"/api/blog/admin/posts/{post['id']}").json())
    gone = author_api.delete(f"/api/blog/admin/posts/{post['id']}", {"version": 1}, format="json")
    assert gone.status_code == 409
    assert author_api.get(f"/api/blog/admin/posts/{post['id']}").json()["title"] == "Theirs"


def test_renaming_a_post_to_a_slug_another_post_holds_is_a_409_slug_taken_through_the_api(author_api):
    holder = author_api.post("/api/blog/admin/posts", {"title": unique_title()}, format="json").json()
    post = author_api.post("/api/blog/admin/posts", {"title": unique_title()}, format="json").json()
    url = f"/api/blog/admin/posts/{post['id']}"
    taken = author_api.patch(url, {"slug": holder["slug"], "title": "Renamed"}, HTTP_IF_MATCH='"v1"', format="json")
    assert taken.status_code == 409, taken.content
    error = taken.json()["error"]
    assert (error["code"], list(error["fields"])) == ("slug_taken", ["slug"])
    after = author_api.get(url).json()
    assert (after["slug"], after["title"], after["version"]) == (post["slug"], post["title"], 1)
    assert author_api.get(f"/api/blog/admin/posts/{holder['id']}").json()["slug"] == holder["slug"]


def test_writes_state_their_version_once(author_api):
    post = author_api.post("/api/blog/admin/posts", {"title": unique_title()}, format="json").json()
    url = f"/api/blog/admin/posts/{post['id']}"
    missing = author_api.patch(url, {"title": "No version"}, format="json")
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "precondition_required"
    assert author_api.delete(url).status_code == 428
    disagree = author_api.patch(url, {"title": "Two versions", "version": 2}, HTTP_IF_MATCH='"v1"', format="json")
    assert disagree.status_code == 400
    assert "version" in disagree.json()["error"]["fields"]
    assert author_api.patch(url, {"title": "Odd"}, HTTP_IF_MATCH='"abc"', format="json").status_code == 400
    assert author_api.get(url).json()["version"] == 1  # nothing refused above changed the post
    fresh = author_api.get(url)
    assert fresh["ETag"] == '"v1"'
    assert author_api.get(url, HTTP_IF_NONE_MATCH='"v1"').status_code == 304


def test_actions_are_safe_to_repeat_without_a_version(author_api):
    post = author_api.post("/api/blog/admin/posts", {"title": unique_title()}, format="json").json()
    url = f"/api/blog/admin/posts/{post['id']}"
    first = author_api.post(f"{url}/publish")
    again = author_api.post(f"{url}/publish")
    assert first.status_code == again.status_code == 200
    assert again.json()["version"] == first.json()["version"] == 2
    stale = author_api.post(f"{url}/unpublish", HTTP_IF_MATCH='"v1"')
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["status"] == "published"
    assert author_api.post(f"{url}/unpublish").json()["status"] == "draft"
    assert author_api.post(f"{url}/unpublish").json()["version"] == 3


def test_earlier_routes_answer_for_one_release(author_api, client):
    title = unique_title()
    moved = author_api.post("/api/blog/admin/posts/create", {"title": title}, format="json")
    assert moved.status_code == 308  # only the path changed: the client repeats the same POST there
    assert moved["Location"] == "/api/blog/admin/posts"
    assert author_api.get("/api/blog/admin/posts", {"q": title}).json()["results"] == []  # nothing created yet
    post = author_api.post(moved["Location"], {"title": title}, format="json").json()

    updated = author_api.post(
        f"/api/blog/admin/posts/{post['id']}/update", {"version": 1, "title": "Old way"}, format="json"
    )
    assert updated.status_code == 200
    assert updated.json()["title"] == "Old way"
    assert updated["Deprecation"] == "true"
    assert updated["Link"] == f'</api/blog/admin/posts/{post["id"]}>; rel="successor-version"'
    stale = author_api.post(f"/api/blog/admin/posts/{post['id']}/update", {"version": 1, "title": "x"}, format="json")
    assert stale.status_code == 409
    assert stale["Deprecation"] == "true"
    deleted = author_api.post(f"/api/blog/admin/posts/{post['id']}/delete", {"version": 2}, format="json")
    assert deleted.status_code == 204
    assert deleted["Link"] == f'</api/blog/admin/posts/{post["id"]}>; rel="successor-version"'
    assert author_api.get(f"/api/blog/admin/posts/{post['id']}").status_code == 404


def test_bad_input_is_400_with_field_messages_and_writes_nothing(author_api):
    title = unique_title()
    response = author_api.post("/api/blog/admin/posts", {"title": title, "slug": "Bad Slug!"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()["error"]["fields"]
    assert author_api.get("/api/blog/admin/posts", {"q": title}).json()["results"] == []
    assert "title" in author_api.post("/api/blog/admin/posts", {}, format="json").json()["error"]["fields"]


def test_schedule_through_the_api(author_api):
    post = author_api.post("/api/blog/admin/posts", {"title": unique_title()}, format="json").json()
    past = author_api.post(
        f"/api/blog/admin/posts/{post['id']}/schedule",
        {"version": 1, "publish_at": (utcnow() - timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert past.status_code == 400
    assert "publish_at" in past.json()["error"]["fields"]
    when = utcnow() + timedelta(days=1)
    scheduled = author_api.post(
        f"/api/blog/admin/posts/{post['id']}/schedule", {"version": 1, "publish_at": when.isoformat()}, format="json"
    ).json()
    assert scheduled["status"] == "scheduled"
    assert scheduled["scheduled_for"].startswith(when.strftime("%Y-%m-%dT%H:%M"))


def test_image_upload_start_returns_a_presigned_post_limited_in_size_and_type(author_api):
    data = image_bytes()
    response = author_api.post(
        "/api/blog/admin/images",
        {"filename": "my photo.jpg", "content_type": "image/jpeg", "size": len(data)},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["image"]["status"] == "pending"
    assert body["upload"]["key"] == f"uploads/blog/{body['image']['id']}/my-photo.jpg"
    assert body["upload"]["fields"]["Content-Type"] == "image/jpeg"
    assert body["upload"]["fields"]["key"] == body["upload"]["key"]
    assert author_api.get(f"/api/blog/admin/images/{body['image']['id']}").json()["status"] == "pending"
    too_big = author_api.post(
        "/api/blog/admin/images", {"filename": "x.jpg", "content_type": "image/jpeg", "size": 10**9}, format="json"
    )
    assert too_big.status_code == 413


def test_preview_renders_sanitised_html(author_api):
    response = author_api.post(
        "/api/blog/admin/preview", {"body_markdown": "**hi** <script>x()</script>"}, format="json"
    )
    assert response.json() == {"body_html": "<p><strong>hi</strong> </p>"}


def test_every_blog_operation_is_in_the_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values() if "operationId" in op}
    assert {
        "blog_posts_list",
        "blog_posts_retrieve",
        "blog_tag_posts_list",
        "blog_admin_posts_list",
        "blog_admin_posts_create",
        "blog_admin_posts_retrieve",
        "blog_admin_posts_partial_update",
        "blog_admin_posts_destroy",
        "blog_admin_posts_publish",
        "blog_admin_posts_schedule",
        "blog_admin_posts_unpublish",
        "blog_admin_posts_update_deprecated",
        "blog_admin_posts_delete_deprecated",
        "blog_admin_revisions_list",
        "blog_admin_revisions_restore",
        "blog_admin_images_upload",
        "blog_admin_images_retrieve",
        "blog_admin_readers_list",
        "blog_admin_preview",
        "blog_admin_posts_submit",
        "blog_admin_posts_authors",
        "blog_admin_staff_list",
        "blog_admin_staff_retrieve",
        "blog_admin_staff_partial_update",
    } <= operations
