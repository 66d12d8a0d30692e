"""The cross-user matrix for shared lists: for every todos API verb, on a list A shares with V (viewer) and
E (editor), and with N a stranger to it: N gets 404, V reads and gets 403 on every write, E reads and
writes tasks, and both get 403 where only the owner may act (the list itself, its feed, reminders).
After each refused request A's objects are exactly as they were.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.abuse.conftest import s3_upload
from tests.abuse.test_cross_user import API_MATRIX, fill, snapshot

OWNER_ONLY = {
    ("patch", "/api/todos/lists/{list}"),
    ("delete", "/api/todos/lists/{list}"),
    ("get", "/api/todos/lists/{list}/calendar-feed"),
    ("post", "/api/todos/lists/{list}/calendar-feed"),
    ("delete", "/api/todos/lists/{list}/calendar-feed"),
    ("post", "/api/todos/tasks/{task}/reminders"),
    ("delete", "/api/todos/tasks/{task}/reminders/{attachment}"),
}
# What an editor sends instead: a move stays within the owner's lists the editor may edit.
EDITOR_BODIES = {("post", "/api/todos/tasks/{task}/move"): {"list_id": "{list}"}}
SHARING_MATRIX = [
    ("get", "/api/todos/lists/{list}/members", None),
    ("get", "/api/todos/lists/{list}/activity", None),
    ("get", "/api/todos/lists/{list}/invitations", None),
    ("post", "/api/todos/lists/{list}/invitations", {"email": "someone-new@example.com", "role": "editor"}),
    ("delete", "/api/todos/lists/{list}/invitations/{attachment}", None),
    ("patch", "/api/todos/lists/{list}/members/{member}", {"role": "editor"}),
    ("delete", "/api/todos/lists/{list}/members/{member}", None),
]
SHARING_OWNER_ONLY = {
    ("get", "/api/todos/lists/{list}/invitations"),
    ("post", "/api/todos/lists/{list}/invitations"),
    ("delete", "/api/todos/lists/{list}/invitations/{attachment}"),
    ("patch", "/api/todos/lists/{list}/members/{member}"),
    ("delete", "/api/todos/lists/{list}/members/{member}"),
}
WITH_IDS = [(m, u, b) for m, u, b in API_MATRIX if "{" in u and not u.startswith("/api/todos/tasks?")]


def client_of(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {user.access_token}")
    return api


def make_objects(owner_api: APIClient) -> dict:
    """A's list with a task, a subtask and a ready attachment, through the API."""
    todo_list = owner_api.post("/api/todos/lists", {"name": "A's shared list"}, format="json").json()
    task = owner_api.post("/api/todos/tasks", {"title": "A's task", "list_id": todo_list["id"]}, format="json").json()
    subtask = owner_api.post("/api/todos/tasks", {"title": "A's subtask", "parent_id": task["id"]}, format="json")
    started = owner_api.post(
        f"/api/todos/tasks/{task['id']}/attachments",
        {"file_name": "notes.txt", "size": 5, "content_type": "text/plain"},
        format="json",
    ).json()
    assert s3_upload(started["upload"], b"notes", file_name="notes.txt").status_code in (200, 204)
    attachment = owner_api.post(f"/api/todos/tasks/{task['id']}/attachments/{started['attachment']['id']}/complete")
    return {
        "list": todo_list["id"],
        "task": task["id"],
        "subtask": subtask.json()["id"],
        "attachment": attachment.json()["id"],
        "key": attachment.json()["key"],
    }


def share(owner_api: APIClient, list_id: str, member, role: str) -> None:
    invite = owner_api.post(f"/api/todos/lists/{list_id}/invitations", {"email": member.email, "role": role})
    assert invite.status_code == 201, invite.content
    accepted = client_of(member).post(f"/api/todos/invitations/{invite.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.content


@pytest.fixture(scope="module")
def people(local_stack):
    """A (the owner), V (viewer), E (editor), N (no member), each a fresh user."""
    from accounts.services import user_create
    from tests.conftest import TestUser, unique_email

    users = {}
    for key, name in (("A", "Owner A"), ("V", "Viewer V"), ("E", "Editor E"), ("N", "Stranger N")):
        email = unique_email("share")
        created = user_create(email=email, password="correct-horse-9", display_name=name, groups=[])
        users[key] = TestUser(email=email, password="correct-horse-9", name=name, sub=created.sub)
    return users


@pytest.fixture(scope="module")
def shared(people):
    """A's objects, the list shared with V as viewer and with E as editor (N is in nothing)."""
    owner_api = client_of(people["A"])
    objects = make_objects(owner_api)
    share(owner_api, objects["list"], people["V"], "viewer")
    share(owner_api, objects["list"], people["E"], "editor")
    return {**objects, "member": people["E"].sub}


def call(api: APIClient, method: str, url: str, body, objects: dict, *, version: int | None = None):
    headers = {"HTTP_IF_MATCH": f'"v{version or 1}"'} if method in ("patch", "delete") else {}
    return getattr(api, method)(fill(url, objects), fill(body, objects), format="json", **headers)


def ids(rows) -> list[str]:
    return [f"{m.upper()} {u}" for m, u, _ in rows]


@pytest.mark.parametrize(("method", "url", "body"), WITH_IDS + SHARING_MATRIX, ids=ids(WITH_IDS + SHARING_MATRIX))
def test_a_stranger_to_a_shared_list_gets_404_and_changes_nothing(people, shared, method, url, body):
    before = snapshot(people["A"].sub, shared)
    response = call(client_of(people["N"]), method, url, body, shared)
    assert response.status_code == 404, (method, url, response.status_code, response.content[:200])
    assert response.json()["error"]["code"].endswith("not_found")
    assert b"A's" not in response.content
    assert snapshot(people["A"].sub, shared) == before


@pytest.mark.parametrize(("method", "url", "body"), WITH_IDS + SHARING_MATRIX, ids=ids(WITH_IDS + SHARING_MATRIX))
def test_a_viewer_reads_and_gets_403_on_every_write(people, shared, method, url, body):
    before = snapshot(people["A"].sub, shared)
    response = call(client_of(people["V"]), method, url, body, shared)
    if method == "get" and (method, url) not in OWNER_ONLY | SHARING_OWNER_ONLY:
        assert response.status_code in (200, 302), (url, response.status_code, response.content[:200])
    else:
        assert response.status_code == 403, (method, url, response.status_code, response.content[:200])
        assert response.json()["error"]["code"] == "forbidden"
    assert snapshot(people["A"].sub, shared) == before


def test_a_viewer_cannot_create_tasks_in_the_list_or_under_its_tasks(people, shared):
    viewer = client_of(people["V"])
    for body in ({"title": "planted", "list_id": shared["list"]}, {"title": "planted", "parent_id": shared["task"]}):
        response = viewer.post("/api/todos/tasks", body, format="json")
        assert response.status_code == 403
    reorder = viewer.post("/api/todos/tasks/reorder", {"items": [{"id": shared["task"], "position": 0}]}, format="json")
    assert reorder.status_code == 403
    tasks = client_of(people["A"]).get(f"/api/todos/tasks?list_id={shared['list']}").json()["results"]
    assert sorted(t["title"] for t in tasks) == ["A's subtask", "A's task"]


@pytest.fixture
def fresh(people):
    """New objects of A's for one editor request (an editor's writes change them), shared with E."""
    owner_api = client_of(people["A"])
    objects = make_objects(owner_api)
    share(owner_api, objects["list"], people["E"], "editor")
    return {**objects, "member": people["E"].sub}


@pytest.mark.parametrize(("method", "url", "body"), WITH_IDS, ids=ids(WITH_IDS))
def test_an_editor_edits_tasks_but_not_what_only_the_owner_may(people, fresh, method, url, body):
    from todos import selectors

    before = snapshot(people["A"].sub, fresh)
    version = int(selectors.task_get(owner=people["A"].sub, task_id=fresh["task"]).version)
    if "/lists/" in url and method in ("patch", "delete"):
        version = int(selectors.list_get(owner=people["A"].sub, list_id=fresh["list"]).version)
    if "{subtask}" in url:
        version = int(selectors.task_get(owner=people["A"].sub, task_id=fresh["subtask"]).version)
    body = EDITOR_BODIES.get((method, url), body)
    response = call(client_of(people["E"]), method, url, body, fresh, version=version)
    if (method, url) in OWNER_ONLY:
        assert response.status_code == 403, (method, url, response.status_code, response.content[:200])
        assert snapshot(people["A"].sub, fresh) == before
    else:
        assert response.status_code in (200, 201, 204, 302), (method, url, response.status_code, response.content[:300])


def test_an_editor_cannot_reach_the_owners_other_lists_through_a_shared_task(people, fresh):
    owner_api, editor = client_of(people["A"]), client_of(people["E"])
    private = owner_api.post("/api/todos/lists", {"name": "A's private list"}, format="json").json()
    secret = owner_api.post("/api/todos/tasks", {"title": "A's secret", "list_id": private["id"]}, format="json").json()

    move = editor.post(f"/api/todos/tasks/{fresh['task']}/move", {"list_id": private["id"]}, format="json")
    adopt = editor.patch(f"/api/todos/tasks/{fresh['task']}", {"parent_id": secret["id"], "version": 1}, format="json")
    plant = editor.post("/api/todos/tasks", {"title": "planted", "list_id": private["id"]}, format="json")
    peek = editor.get(f"/api/todos/tasks?list_id={private['id']}")

    assert [r.status_code for r in (move, adopt, plant, peek)] == [404, 404, 422, 404]
    assert b"A's secret" not in b"".join(r.content for r in (move, adopt, plant, peek))
    tasks = owner_api.get(f"/api/todos/tasks?list_id={private['id']}").json()["results"]
    assert [t["title"] for t in tasks] == ["A's secret"]
    assert owner_api.get(f"/api/todos/tasks/{fresh['task']}").json()["list_id"] == fresh["list"]
