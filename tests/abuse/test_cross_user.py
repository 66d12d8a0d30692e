"""The cross-user matrix: for every todos object type and verb, user B gets 404 on user A's objects.

Covers the REST API (bearer token), the HTML views (B's signed-in session), presigned
S3 URLs and sessions; after the whole matrix, A's objects are exactly as they were.
"""

from __future__ import annotations

import pytest
import requests
from rest_framework.test import APIClient

from tests.abuse.conftest import s3_upload
from todos import selectors


@pytest.fixture(scope="module")
def owner_objects(owner_and_intruder):
    """A's list, task, subtask and ready attachment, created through the API."""
    owner, _ = owner_and_intruder
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {owner.access_token}")
    todo_list = api.post("/api/todos/lists", {"name": "A's secrets"}, format="json").json()
    task = api.post("/api/todos/tasks", {"title": "A's task", "list_id": todo_list["id"]}, format="json").json()
    subtask = api.post("/api/todos/tasks", {"title": "A's subtask", "parent_id": task["id"]}, format="json").json()
    started = api.post(
        f"/api/todos/tasks/{task['id']}/attachments",
        {"file_name": "secret.txt", "size": 9, "content_type": "text/plain"},
        format="json",
    ).json()
    assert s3_upload(started["upload"], b"top secret", file_name="secret.txt").status_code in (200, 204)
    attachment = api.post(f"/api/todos/tasks/{task['id']}/attachments/{started['attachment']['id']}/complete").json()
    assert attachment["state"] == "ready"
    download = api.get(f"/api/todos/tasks/{task['id']}/attachments/{attachment['id']}/download").json()["url"]
    return {
        "api": api,
        "list": todo_list["id"],
        "task": task["id"],
        "subtask": subtask["id"],
        "attachment": attachment["id"],
        "key": attachment["key"],
        "download": download,
    }


def snapshot(owner_sub: str, objects: dict) -> dict:
    """Everything of A's the matrix could touch: versions, titles, states."""
    todo_list = selectors.list_get(owner=owner_sub, list_id=objects["list"])
    task = selectors.task_get(owner=owner_sub, task_id=objects["task"])
    subtask = selectors.task_get(owner=owner_sub, task_id=objects["subtask"])
    attachment = selectors.attachment_get(owner=owner_sub, task_id=objects["task"], attachment_id=objects["attachment"])
    return {
        "list": (todo_list.name, int(todo_list.version), bool(todo_list.archived)),
        "task": (task.title, int(task.version), bool(task.done), float(task.position), task.list_id),
        "subtask": (subtask.title, int(subtask.version), bool(subtask.done)),
        "attachment": (attachment.state, int(attachment.size), attachment.s3_key),
    }


API_MATRIX = [
    ("get", "/api/todos/lists/{list}", None),
    ("patch", "/api/todos/lists/{list}", {"name": "pwned", "archived": True}),
    ("delete", "/api/todos/lists/{list}", None),
    ("get", "/api/todos/tasks?list_id={list}", None),
    ("get", "/api/todos/tasks?parent_id={task}", None),
    ("post", "/api/todos/tasks", {"title": "planted", "list_id": "{list}"}),
    ("post", "/api/todos/tasks", {"title": "planted", "parent_id": "{task}"}),
    ("get", "/api/todos/tasks/{task}", None),
    ("patch", "/api/todos/tasks/{task}", {"title": "pwned"}),
    ("delete", "/api/todos/tasks/{task}", None),
    ("post", "/api/todos/tasks/{task}/complete", None),
    ("post", "/api/todos/tasks/{task}/reopen", None),
    ("post", "/api/todos/tasks/{task}/move", {"list_id": "inbox"}),
    ("post", "/api/todos/tasks/reorder", {"items": [{"id": "{task}", "position": 0}]}),
    ("get", "/api/todos/tasks/{subtask}", None),
    ("delete", "/api/todos/tasks/{subtask}", None),
    ("get", "/api/todos/tasks/{task}/attachments", None),
    ("post", "/api/todos/tasks/{task}/attachments", {"file_name": "x.txt", "size": 1}),
    ("get", "/api/todos/tasks/{task}/attachments/{attachment}", None),
    ("delete", "/api/todos/tasks/{task}/attachments/{attachment}", None),
    ("post", "/api/todos/tasks/{task}/attachments/{attachment}/complete", None),
    ("get", "/api/todos/tasks/{task}/attachments/{attachment}/download", None),
    ("get", "/api/todos/tasks/{task}/attachments/{attachment}/download?redirect=true", None),
    ("get", "/api/todos/lists/{list}/calendar-feed", None),
    ("post", "/api/todos/lists/{list}/calendar-feed", {}),
    ("delete", "/api/todos/lists/{list}/calendar-feed", None),
    ("get", "/api/todos/tasks/{task}/reminders", None),
    ("post", "/api/todos/tasks/{task}/reminders", {"offset_minutes": 30}),
    ("delete", "/api/todos/tasks/{task}/reminders/{attachment}", None),
]

HTML_MATRIX = [
    ("get", "/todos/lists/{list}/"),
    ("get", "/todos/?open={task}"),
    ("post", "/todos/lists/{list}/delete"),
    ("post", "/todos/lists/{list}/toggle-all"),
    ("post", "/todos/lists/{list}/clear-completed"),
    ("post", "/todos/lists/{list}/reorder"),
    ("post", "/todos/tasks/{task}/subtasks"),
    ("post", "/todos/tasks/{task}/toggle"),
    ("post", "/todos/tasks/{task}/title"),
    ("post", "/todos/tasks/{task}/details"),
    ("post", "/todos/tasks/{task}/delete"),
    ("post", "/todos/tasks/{task}/up"),
    ("post", "/todos/tasks/{task}/down"),
    ("post", "/todos/tasks/{task}/attachments/{attachment}/delete"),
    ("get", "/todos/tasks/{task}/attachments/{attachment}/download"),
    ("post", "/todos/tasks/{task}/reminders"),
    ("post", "/todos/tasks/{task}/reminders/{attachment}/delete"),
]


def fill(template, objects: dict):
    if isinstance(template, str):
        return template.format(**objects)
    if isinstance(template, dict):
        return {key: fill(value, objects) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, objects) for value in template]
    return template


@pytest.fixture(scope="module")
def intruder_api(owner_and_intruder) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_and_intruder[1].access_token}")
    return api


@pytest.mark.parametrize(("method", "url", "body"), API_MATRIX, ids=[f"{m.upper()} {u}" for m, u, _ in API_MATRIX])
def test_api_answers_404_to_the_intruder_and_changes_nothing(
    intruder_api, owner_and_intruder, owner_objects, method, url, body
):
    before = snapshot(owner_and_intruder[0].sub, owner_objects)
    # A versioned write states a version, as a real client would (and a guessed one must not help).
    headers = {"HTTP_IF_MATCH": '"v1"'} if method in ("patch", "delete") else {}
    response = getattr(intruder_api, method)(
        fill(url, owner_objects), fill(body, owner_objects), format="json", **headers
    )
    if url.startswith("/api/todos/tasks?"):
        # A listing is scoped to the caller: B sees their own (empty) tasks, never A's.
        assert response.status_code in (200, 404)
        assert owner_objects["task"] not in response.content.decode()
    elif "{" not in url:
        # A reference in the body: the answer is the one for an id that exists nowhere.
        missing = {name: "0" * len(value) if isinstance(value, str) else value for name, value in owner_objects.items()}
        baseline = getattr(intruder_api, method)(url, fill(body, missing), format="json")
        assert response.status_code in (404, 422)
        error, expected = response.json()["error"], baseline.json()["error"]
        assert (response.status_code, error["code"], sorted(error.get("fields", {}))) == (
            baseline.status_code,
            expected["code"],
            sorted(expected.get("fields", {})),
        )
    else:
        assert response.status_code == 404, (method, url, response.status_code, response.content[:200])
        assert response.json()["error"]["code"].endswith("not_found")
    assert b"A's" not in response.content
    assert owner_objects["key"].encode() not in response.content
    assert snapshot(owner_and_intruder[0].sub, owner_objects) == before


@pytest.mark.parametrize(("method", "url"), HTML_MATRIX, ids=[f"{m.upper()} {u}" for m, u in HTML_MATRIX])
def test_html_views_answer_404_to_the_intruder_and_change_nothing(
    browser_client, owner_and_intruder, owner_objects, method, url
):
    intruder = browser_client(owner_and_intruder[1])
    before = snapshot(owner_and_intruder[0].sub, owner_objects)
    data = {"title": "pwned", "order": owner_objects["task"], "notes": "pwned"} if method == "post" else None
    response = getattr(intruder, method)(fill(url, owner_objects), data)
    if url.startswith("/todos/?open="):
        # The page is B's own inbox; A's task is simply not there.
        assert response.status_code == 200
    else:
        assert response.status_code == 404, (method, url, response.status_code)
    assert b"A&#x27;s" not in response.content
    assert b"A's" not in response.content
    assert snapshot(owner_and_intruder[0].sub, owner_objects) == before


def test_another_users_labels_sync_and_lists_are_not_visible(intruder_api, owner_objects):
    for url in ("/api/todos/lists", "/api/todos/labels", "/api/todos/sync", "/api/todos/tasks"):
        response = intruder_api.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert all(owner_objects[name] not in text for name in ("list", "task", "subtask", "attachment")), url


def test_a_presigned_download_is_short_lived_and_names_only_its_own_key(owner_objects, owner_and_intruder):
    """B never gets one (the matrix); A's URL is signed for A's one key and expires within minutes.

    s3rver does not verify presigned signatures, so "a bent URL is refused" is S3's to enforce;
    here we check what the app controls: the signed key, the expiry, the disposition.
    """
    from urllib.parse import parse_qs, urlsplit

    url = urlsplit(owner_objects["download"])
    query = parse_qs(url.query)
    assert url.path.endswith("/" + owner_objects["key"])
    assert owner_objects["key"].startswith(f"users/{owner_and_intruder[0].sub}/todos/{owner_objects['task']}/")
    assert int(query["X-Amz-Expires"][0]) <= 300
    assert query["X-Amz-SignedHeaders"] == ["host"]
    assert query["response-content-disposition"][0].startswith("attachment;")
    assert requests.get(owner_objects["download"], timeout=10).content == b"top secret"


def test_an_upload_policy_is_bound_to_its_key_size_and_type(owner_objects):
    """B cannot reuse a policy for another key: the policy pins the key, the size range and the type."""
    import base64
    import json

    started = owner_objects["api"].post(
        f"/api/todos/tasks/{owner_objects['task']}/attachments",
        {"file_name": "../../other-user/evil.txt", "size": 4, "content_type": "text/plain"},
        format="json",
    )
    assert started.status_code == 201
    upload = started.json()["upload"]
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    key = upload["fields"]["key"]
    assert {"key": key} in policy["conditions"]
    assert {"Content-Type": "text/plain"} in policy["conditions"]
    assert ["content-length-range", 1, 25 * 1024 * 1024] in policy["conditions"]
    assert key.endswith("/evil.txt")
    assert ".." not in key
    assert "other-user" not in key
    assert started.json()["attachment"]["file_name"] == "evil.txt"


def test_a_signed_out_session_cannot_be_replayed(browser_client, owner_and_intruder, owner_objects):
    intruder = browser_client(owner_and_intruder[1])
    session_cookie = intruder.cookies["sessionid"].value
    assert intruder.get("/todos/").status_code == 200
    intruder.post("/accounts/sign-out/")
    replay = type(intruder)()
    replay.cookies["sessionid"] = session_cookie
    response = replay.get("/todos/")
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]
    # A's own session is untouched by B's sign-out.
    owner = browser_client(owner_and_intruder[0])
    assert b"A&#x27;s secrets" in owner.get(f"/todos/lists/{owner_objects['list']}/").content


def test_a_session_cookie_is_not_a_bearer_token_and_vice_versa(owner_and_intruder, browser_client):
    session = browser_client(owner_and_intruder[1]).cookies["sessionid"].value
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {session}")
    assert api.get("/api/todos/lists").status_code == 401
    api = APIClient()
    api.cookies["sessionid"] = owner_and_intruder[1].access_token
    assert api.get("/api/todos/lists").status_code == 401


SHARING_HTML_MATRIX = [
    ("/todos/lists/{list}/share", {"email": "intruder@example.com", "role": "editor"}),
    ("/todos/lists/{list}/leave", {}),
    ("/todos/lists/{list}/members/{task}/role", {"role": "editor"}),
    ("/todos/lists/{list}/members/{task}/remove", {}),
    ("/todos/lists/{list}/invites/{task}/cancel", {}),
    ("/todos/calendar/", {"action": "issue", "list_id": "{list}"}),
    ("/todos/invites/{task}/", {"answer": "accept"}),
]


@pytest.mark.parametrize(("url", "body"), SHARING_HTML_MATRIX, ids=[u for u, _ in SHARING_HTML_MATRIX])
def test_the_sharing_html_routes_answer_404_to_the_intruder_and_change_nothing(
    browser_client, owner_and_intruder, owner_objects, url, body
):
    intruder = browser_client(owner_and_intruder[1])
    before = snapshot(owner_and_intruder[0].sub, owner_objects)
    for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/todos/"}):
        response = intruder.post(fill(url, owner_objects), fill(body, owner_objects), **headers)
        assert response.status_code == 404, (url, headers, response.status_code)
        assert b"A&#x27;s" not in response.content
        assert b"A's" not in response.content
    access = selectors.list_access(actor=owner_and_intruder[0].sub, list_id=owner_objects["list"])
    assert selectors.members_of(access=access) == []
    assert selectors.invites_of_list(access=access) == []
    assert snapshot(owner_and_intruder[0].sub, owner_objects) == before
