"""Hostile file names and lying content types: clean 4xx or a harmless key, never a path outside the caller's prefix."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from todos.models import Task

TRAVERSALS = [
    "../../../etc/passwd",
    "..\\..\\windows\\system32\\config",
    "/etc/shadow",
    "a/../../b.txt",
    "notes\x00.txt.exe",
    'quote".txt\r\nX-Injected: 1',
    "%2e%2e%2f%2e%2e%2fsecret",
    "\u202etxt.exe",
]


@pytest.fixture
def task_id(api) -> str:
    return api.post("/api/todos/tasks", {"title": "Holds files"}, format="json").json()["id"]


@pytest.mark.parametrize("file_name", TRAVERSALS)
def test_todo_attachment_names_cannot_leave_the_owners_prefix(api, user, task_id, file_name):
    response = api.post(f"/api/todos/tasks/{task_id}/attachments", {"file_name": file_name, "size": 10}, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert "file_name" in response.json()["error"]["fields"]
        return
    attachment, upload = response.json()["attachment"], response.json()["upload"]
    key = upload["fields"]["key"]
    assert key == attachment["key"]
    assert key.startswith(f"users/{user.sub}/todos/{task_id}/{attachment['id']}/")
    last = key.rsplit("/", 1)[1]
    assert last
    assert ".." not in key.split("/")
    assert all(c.isalnum() or c in "._-" for c in last)
    assert "/" not in attachment["file_name"]
    assert "\\" not in attachment["file_name"]
    assert "\x00" not in attachment["file_name"]
    assert "\r" not in attachment["file_name"]


def test_a_stored_name_with_quotes_and_newlines_cannot_split_the_download_headers(api, task_id):
    from mysite import storage

    started = api.post(
        f"/api/todos/tasks/{task_id}/attachments",
        {"file_name": 'a"b\r\nSet-Cookie: x=1.txt', "size": 3, "content_type": "text/plain"},
        format="json",
    ).json()
    storage.object_write(started["attachment"]["key"], b"abc", content_type="text/plain")
    base = f"/api/todos/tasks/{task_id}/attachments/{started['attachment']['id']}"
    assert api.post(f"{base}/complete").status_code == 200
    url = api.get(f"{base}/download").json()["url"]
    from urllib.parse import parse_qs, urlsplit

    disposition = parse_qs(urlsplit(url).query)["response-content-disposition"][0]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert disposition.count('"') == 2


@pytest.mark.parametrize("filename", TRAVERSALS[:5])
def test_blog_image_upload_keys_stay_under_the_upload_prefix(bearer_client, make_user, filename):
    author = bearer_client(make_user(groups=("authors",)))
    response = author.post(
        "/api/blog/admin/images", {"filename": filename, "content_type": "image/png", "size": 100}, format="json"
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        key = response.json()["upload"]["key"]
        assert key.startswith("uploads/blog/")
        assert key.count("/") == 3
        assert ".." not in key.split("/")
        assert "\\" not in key


@pytest.mark.parametrize("filename", ["../App.zip", "..", "a/b.zip", ".hidden.zip", "App\x00.zip"])
def test_artifact_file_names_are_refused(bearer_client, make_user, filename):
    from updates import services

    manager = bearer_client(make_user(groups=("release-managers",)))
    product = f"app-{uuid.uuid4().hex[:10]}"
    services.product_create(slug=product, name="App")
    services.release_create(product=product, version="1.0.0", channel="stable")
    response = manager.post(
        f"/api/updates/products/{product}/releases/1.0.0/artifacts",
        {"platform": "linux-x64", "filename": filename, "size": 3, "sha256": hashlib.sha256(b"abc").hexdigest()},
        format="json",
    )
    assert response.status_code == 400
    assert "filename" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "/updates/artifacts/" + "0" * 64 + "/..%2F..%2Fstack.json",
        "/updates/artifacts/" + "0" * 64 + "/%2e%2e",
        "/updates/artifacts/../../etc/passwd",
        "/updates/some-app/tuf/targets/../../../../etc/passwd",
        "/updates/some-app/tuf/..%2F..%2Fsecret.json",
        "/media/blog/..%2F..%2Fsecret",
        "/media/blog/%2e%2e",
        "/static/..%2F..%2Fmysite%2Fsettings%2Fbase.py",
    ],
)
def test_traversal_in_file_routes_is_a_404(client, url):
    response = client.get(url)
    assert response.status_code == 404, (url, response.status_code)
    assert b"SECRET_KEY" not in response.content
    assert b"root:" not in response.content


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b'{"title": "lied about"}'),
        ("multipart/form-data", b'{"title": "lied about"}'),
        ("multipart/form-data; boundary=zzz", b'{"title": "lied about"}'),
        ("application/json", b"title=lied+about"),
        ("application/json", b"<task><title>lied about</title></task>"),
        ("application/json; charset=utf-16", b'{"title": "lied about"}'),
        ("text/plain", b'{"title": "lied about"}'),
        ("application/xml", b"<title>lied about</title>"),
    ],
)
def test_a_body_that_is_not_what_its_content_type_says_writes_nothing(api, user, content_type, body):
    response = api.generic("POST", "/api/todos/tasks", body, content_type=content_type)
    assert response.status_code in (400, 415), (content_type, response.status_code, response.content[:200])
    assert response.json()["error"]["code"] in ("invalid", "malformed", "unsupported_media_type", "parse_error")
    assert [t.title for t in Task.query(user.sub)] == []


@pytest.mark.parametrize(
    ("file_name", "content_type", "inline", "served_type"),
    [
        ("photo.png", "image/png", True, "image/png"),
        ("photo.jpg", "image/jpeg", True, "image/jpeg"),
        ("scan.pdf", "application/pdf", True, "application/pdf"),
        ("notes.txt", "text/plain", True, "text/plain; charset=utf-8"),
        ("page.html", "text/html", False, "application/octet-stream"),
        ("drawing.svg", "image/svg+xml", False, "application/octet-stream"),
        ("page.xhtml", "application/xhtml+xml", False, "application/octet-stream"),
    ],
)
def test_inline_download_only_for_a_safe_allow_list_of_types(
    api, task_id, file_name, content_type, inline, served_type
):
    import requests

    from mysite import storage

    body = b"<html><script>alert(document.domain)</script></html>"
    started = api.post(
        f"/api/todos/tasks/{task_id}/attachments",
        {"file_name": file_name, "size": len(body), "content_type": content_type},
        format="json",
    )
    assert started.status_code == 201, started.content
    attachment = started.json()["attachment"]
    storage.object_write(attachment["key"], body, content_type=content_type)
    base = f"/api/todos/tasks/{task_id}/attachments/{attachment['id']}"
    assert api.post(f"{base}/complete").status_code == 200
    url = api.get(f"{base}/download", {"inline": "1"}).json()["url"]
    served = requests.get(url, timeout=10)
    assert served.status_code == 200
    disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("inline;" if inline else "attachment;"), disposition
    assert served.headers["Content-Type"] == served_type
