"""Hostile requests get a clean 4xx and change nothing."""

from __future__ import annotations

from accounts.models import Profile


def test_oversized_body_is_413_before_parsing(bearer_client, user):
    body = b'{"display_name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = bearer_client(user).generic("PATCH", "/api/accounts/me", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert Profile.get(user.sub).display_name == "Test User"


def test_deeply_nested_json_is_400(bearer_client, user):
    body = ("[" * 100_000 + "]" * 100_000).encode()
    response = bearer_client(user).generic("PATCH", "/api/accounts/me", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"


def test_invalid_utf8_is_400(bearer_client, user):
    response = bearer_client(user).generic(
        "PATCH", "/api/accounts/me", b'{"display_name": "\xff\xfe"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert Profile.get(user.sub).display_name == "Test User"


def test_huge_query_string_is_414(bearer_client, user):
    query = "&".join(f"f{i}=v" for i in range(5000))
    response = bearer_client(user).get(f"/api/accounts/me?{query}")
    assert response.status_code == 414
    assert response.json()["error"]["code"] == "uri_too_long"


def test_huge_query_string_on_a_page_is_a_friendly_414(client):
    response = client.get("/?" + "q=" + "x" * 10_000)
    assert response.status_code == 414
    assert b"8 KiB" in response.content


def test_wrong_content_type_is_415(bearer_client, user):
    response = bearer_client(user).generic("PATCH", "/api/accounts/me", b"display_name=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


FIELDS = "&".join(f"f{i}=1" for i in range(1001))  # one over DATA_UPLOAD_MAX_NUMBER_FIELDS, under 8 KiB


def test_more_fields_than_django_takes_are_a_400_in_the_error_shape_on_every_kind_of_route(client, settings):
    """Django refuses more than 1000 fields wherever they are first read; here that is before any middleware."""
    settings.DEBUG = True  # the debug page once rendered itself once per middleware: a minute, then a 500
    for path in ("/api/blog/posts", "/api/todos/tasks", "/api/updates/products"):
        response = client.get(f"{path}?{FIELDS}")
        assert response.status_code == 400, path
        assert response.json()["error"]["message"] == "A request has at most 1000 fields."
    page = client.get(f"/blog/?{FIELDS}")
    assert page.status_code == 400
    assert "A request has at most 1000 fields." in page.content.decode()
    form = client.post("/api/accounts/token", FIELDS, content_type="application/x-www-form-urlencoded")
    assert form.status_code == 400
    assert form.json()["error"]["code"] == "invalid"
    broken = client.post("/accounts/sign-in/", b"--x\r\nbroken", content_type="multipart/form-data; boundary=")
    assert broken.status_code == 400
    assert client.get("/api/blog/posts?" + FIELDS.rsplit("&", 1)[0]).status_code == 200  # 1000 are taken
