"""Shared lists through the REST API: the whole flow, no enumeration, bad input, sync, and the read cache."""

from __future__ import annotations

import pytest

from mysite.mail import mailbox_messages
from tests.todos.conftest import create_task


@pytest.fixture
def alice(make_user):
    return make_user(name="Alice")


@pytest.fixture
def bob(make_user):
    return make_user(name="Bob")


@pytest.fixture
def alice_api(bearer_client, alice):
    return bearer_client(alice)


@pytest.fixture
def bob_api(bearer_client, bob):
    return bearer_client(bob)


@pytest.fixture
def groceries(alice_api) -> dict:
    return alice_api.post("/api/todos/lists", {"name": "Groceries"}, format="json").json()


def invite(api, list_id: str, email: str, role: str = "editor"):
    return api.post(f"/api/todos/lists/{list_id}/invitations", {"email": email, "role": role}, format="json")


def join(owner_api, member_api, member, list_id: str, role: str = "editor") -> dict:
    sent = invite(owner_api, list_id, member.email, role)
    assert sent.status_code == 201, sent.content
    accepted = member_api.post(f"/api/todos/invitations/{sent.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.content
    return accepted.json()


def test_invite_accept_edit_together_and_see_who_did_what(alice_api, bob_api, bob, groceries):
    sent = invite(alice_api, groceries["id"], bob.email)
    assert sent.status_code == 201
    [mail] = [m for m in mailbox_messages(to=bob.email) if "shared" in m.subject]
    assert f"/todos/invites/{sent.json()['id']}/" in mail.body

    pending = bob_api.get("/api/todos/invitations").json()["results"]
    assert [(i["list_name"], i["invited_by"], i["role"]) for i in pending] == [("Groceries", "Alice", "editor")]
    accepted = bob_api.post(f"/api/todos/invitations/{pending[0]['id']}/accept").json()
    assert (accepted["list"]["id"], accepted["role"], accepted["owner_name"]) == (groceries["id"], "editor", "Alice")

    shared = bob_api.get("/api/todos/shared-lists").json()["results"]
    assert [(s["list"]["name"], s["role"]) for s in shared] == [("Groceries", "editor")]
    assert bob_api.get(f"/api/todos/lists/{groceries['id']}").json()["name"] == "Groceries"
    milk = create_task(bob_api, title="Milk", list_id=groceries["id"])
    done = bob_api.post(f"/api/todos/tasks/{milk['id']}/complete").json()
    assert done["done"] is True

    seen = alice_api.get("/api/todos/tasks", {"list_id": groceries["id"]}).json()["results"]
    assert [(t["title"], t["done"]) for t in seen] == [("Milk", True)]
    activity = alice_api.get(f"/api/todos/lists/{groceries['id']}/activity").json()["results"]
    assert [(a["actor_name"], a["action"], a["subject"]) for a in activity] == [
        ("Bob", "completed", "Milk"),
        ("Bob", "added", "Milk"),
        ("Bob", "joined", ""),
    ]
    members = alice_api.get(f"/api/todos/lists/{groceries['id']}/members").json()["results"]
    assert [(m["display_name"], m["role"], m["email"]) for m in members] == [("Bob", "editor", bob.email)]
    assert bob_api.get(f"/api/todos/lists/{groceries['id']}/members").json()["results"][0]["email"] is None
    assert alice_api.get(f"/api/todos/lists/{groceries['id']}").json()["member_count"] == 1


def test_the_owners_own_writes_on_a_shared_list_are_in_its_activity(alice_api, bob_api, bob, groceries):
    join(alice_api, bob_api, bob, groceries["id"])
    bread = create_task(alice_api, title="Bread", list_id=groceries["id"])
    alice_api.post(f"/api/todos/tasks/{bread['id']}/complete")
    activity = bob_api.get(f"/api/todos/lists/{groceries['id']}/activity").json()["results"]
    assert [(a["actor_name"], a["action"], a["subject"]) for a in activity[:2]] == [
        ("Alice", "completed", "Bread"),
        ("Alice", "added", "Bread"),
    ]


def test_a_known_and_an_unknown_address_get_the_same_answer(alice_api, bob, groceries):
    known = invite(alice_api, groceries["id"], bob.email)
    unknown = invite(alice_api, groceries["id"], f"nobody-{groceries['id']}@example.com")
    assert known.status_code == unknown.status_code == 201
    assert sorted(known.json()) == sorted(unknown.json())
    assert known.json()["invited_by"] == unknown.json()["invited_by"] == "Alice"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "not-an-email"}, 400, "email"),
        ({"email": "x@example.com", "role": "owner"}, 400, "role"),
        ({"email": "x@example.com", "extra": 1}, 400, "extra"),
        ({}, 400, "email"),
    ],
)
def test_a_bad_invitation_is_a_clear_4xx_and_sends_nothing(alice_api, groceries, body, status, field):
    response = alice_api.post(f"/api/todos/lists/{groceries['id']}/invitations", body, format="json")
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"]
    assert alice_api.get(f"/api/todos/lists/{groceries['id']}/invitations").json()["results"] == []


def test_sharing_with_oneself_or_the_inbox_is_refused(alice_api, alice, groceries):
    create_task(alice_api, title="Into the Inbox")  # makes the Inbox
    myself = invite(alice_api, groceries["id"], alice.email.upper())
    inbox = invite(alice_api, "inbox", "x@example.com")
    assert (myself.status_code, myself.json()["error"]["fields"].keys()) == (422, {"email"})
    assert (inbox.status_code, inbox.json()["error"]["fields"].keys()) == (422, {"list_id"})
    assert alice_api.get(f"/api/todos/lists/{groceries['id']}/invitations").json()["results"] == []


def test_an_invitation_is_only_for_the_address_it_was_sent_to(alice_api, bearer_client, make_user, bob, groceries):
    sent = invite(alice_api, groceries["id"], bob.email).json()
    carol_api = bearer_client(make_user(name="Carol"))
    assert carol_api.get("/api/todos/invitations").json()["results"] == []
    stolen = carol_api.post(f"/api/todos/invitations/{sent['id']}/accept")
    assert (stolen.status_code, stolen.json()["error"]["code"]) == (404, "invite_not_found")
    assert carol_api.get(f"/api/todos/lists/{groceries['id']}").status_code == 404
    assert alice_api.get(f"/api/todos/lists/{groceries['id']}/members").json()["results"] == []


def test_declined_and_cancelled_invitations_are_gone(alice_api, bob_api, bob, groceries):
    first = invite(alice_api, groceries["id"], bob.email).json()
    assert bob_api.post(f"/api/todos/invitations/{first['id']}/decline").status_code == 204
    assert bob_api.post(f"/api/todos/invitations/{first['id']}/accept").status_code == 404
    second = invite(alice_api, groceries["id"], bob.email).json()
    assert alice_api.delete(f"/api/todos/lists/{groceries['id']}/invitations/{second['id']}").status_code == 204
    assert bob_api.get("/api/todos/invitations").json()["results"] == []
    assert bob_api.get("/api/todos/shared-lists").json()["results"] == []


def test_roles_change_and_revoking_or_leaving_takes_effect_at_once(
    alice_api, bob_api, bob, bearer_client, make_user, groceries
):
    carol = make_user(name="Carol")
    carol_api = bearer_client(carol)
    join(alice_api, bob_api, bob, groceries["id"], role="viewer")
    join(alice_api, carol_api, carol, groceries["id"])
    eggs = create_task(alice_api, title="Eggs", list_id=groceries["id"])
    assert bob_api.post(f"/api/todos/tasks/{eggs['id']}/complete").status_code == 403

    promoted = alice_api.patch(f"/api/todos/lists/{groceries['id']}/members/{bob.sub}", {"role": "editor"})
    assert promoted.json()["role"] == "editor"
    assert bob_api.post(f"/api/todos/tasks/{eggs['id']}/complete").status_code == 200
    assert (
        carol_api.patch(f"/api/todos/lists/{groceries['id']}/members/{bob.sub}", {"role": "viewer"}).status_code == 403
    )

    assert alice_api.delete(f"/api/todos/lists/{groceries['id']}/members/{bob.sub}").status_code == 204
    assert carol_api.delete(f"/api/todos/lists/{groceries['id']}/members/me").status_code == 204
    for api in (bob_api, carol_api):
        assert api.get(f"/api/todos/tasks/{eggs['id']}").status_code == 404
        assert api.get("/api/todos/shared-lists").json()["results"] == []
    assert alice_api.get(f"/api/todos/lists/{groceries['id']}").json()["member_count"] == 0
    again = alice_api.delete(f"/api/todos/lists/{groceries['id']}/members/{bob.sub}")
    assert (again.status_code, again.json()["error"]["code"]) == (404, "member_not_found")


def test_a_members_sync_covers_the_shared_list_and_its_end(alice_api, bob_api, bob, groceries):
    milk = create_task(alice_api, title="Milk", list_id=groceries["id"])
    join(alice_api, bob_api, bob, groceries["id"], role="viewer")

    full = bob_api.get("/api/todos/sync").json()
    assert groceries["id"] in [x["id"] for x in full["lists"]]
    assert milk["id"] in [t["id"] for t in full["tasks"]]
    assert full["shared"] == [{"list_id": groceries["id"], "role": "viewer", "owner_name": "Alice"}]

    bread = create_task(alice_api, title="Bread", list_id=groceries["id"])
    version = alice_api.get(f"/api/todos/tasks/{milk['id']}").json()["version"]
    alice_api.delete(f"/api/todos/tasks/{milk['id']}", HTTP_IF_MATCH=f'"v{version}"')
    changed = _sync_after(bob_api, full["sync_token"])
    assert [t["title"] for t in changed["tasks"]] == ["Bread"]
    assert {"kind": "task", "id": milk["id"]} in changed["deleted"]
    assert bread["id"] not in [d["id"] for d in changed["deleted"]]

    alice_api.delete(f"/api/todos/lists/{groceries['id']}/members/{bob.sub}")
    gone = _sync_after(bob_api, changed["sync_token"])
    assert {"kind": "list", "id": groceries["id"]} in gone["deleted"]
    assert gone["shared"] == []


def _sync_after(api, token: str) -> dict:
    body = api.get("/api/todos/sync", {"since": token}).json()
    assert body["full"] is False
    return body


def test_a_members_write_is_seen_by_the_owners_cached_reads_at_once(alice_api, bob_api, bob, groceries):
    join(alice_api, bob_api, bob, groceries["id"])
    assert alice_api.get("/api/todos/tasks", {"list_id": groceries["id"]}).json()["results"] == []  # cached now
    tea = create_task(bob_api, title="Tea", list_id=groceries["id"])
    assert [t["id"] for t in alice_api.get("/api/todos/tasks", {"list_id": groceries["id"]}).json()["results"]] == [
        tea["id"]
    ]
    assert alice_api.get(f"/api/todos/tasks/{tea['id']}").json()["title"] == "Tea"


def test_a_members_requests_cost_the_same_with_one_member_or_many(
    alice_api, bob_api, bob, bearer_client, make_user, monkeypatch
):
    """The access decision reads the caller's own membership only: no read of the list's members, whatever
    their number (the requests, with their tables and indexes, are the same for 1 member or 5)."""
    import botocore.client

    requests: list[tuple[str, str, str]] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(client, operation_name, params):
        if client.meta.service_model.service_name == "dynamodb":
            table = params.get("TableName", "").rsplit("-todo-", 1)[-1]
            requests.append((operation_name, table, params.get("IndexName", "")))
        return original(client, operation_name, params)

    costs = []
    for extra_members in (0, 4):
        todo_list = alice_api.post(
            "/api/todos/lists", {"name": f"Shared with {extra_members + 1}"}, format="json"
        ).json()
        join(alice_api, bob_api, bob, todo_list["id"])
        for _ in range(extra_members):
            other = make_user(name="Other")
            join(alice_api, bearer_client(other), other, todo_list["id"])
        task = create_task(alice_api, title="Soap", list_id=todo_list["id"])
        requests.clear()
        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
        assert bob_api.get(f"/api/todos/tasks/{task['id']}").status_code == 200
        assert bob_api.post(f"/api/todos/tasks/{task['id']}/complete").status_code == 200
        assert bob_api.get("/api/todos/tasks", {"list_id": todo_list["id"]}).status_code == 200
        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", original)
        costs.append(sorted(requests))
    assert costs[0] == costs[1]
    assert ("GetItem", "list-members", "") in costs[0]
    assert not [r for r in costs[0] if r[0] == "Scan" or (r[1] == "list-members" and r[2])]


def test_invitation_emails_are_rate_limited_per_user(alice_api, groceries, monkeypatch):
    from mysite.throttling import Limit
    from todos.services import sharing

    monkeypatch.setattr(sharing, "INVITES_PER_HOUR", Limit(attempts=2, period_seconds=3600))
    answers = [invite(alice_api, groceries["id"], f"friend-{n}-{groceries['id']}@example.com") for n in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["error"]["code"] == "throttled"
    assert "Retry-After" in answers[2]
    pending = alice_api.get(f"/api/todos/lists/{groceries['id']}/invitations").json()["results"]
    assert len(pending) == 2
    assert mailbox_messages(to=f"friend-2-{groceries['id']}@example.com") == []


def test_a_member_lists_the_subtasks_of_a_shared_task_by_parent_id(
    alice_api, bob_api, bob, groceries, make_user, bearer_client
):
    parent = create_task(alice_api, title="Cake", list_id=groceries["id"])
    for title in ("Flour", "Eggs"):
        create_task(alice_api, title=title, parent_id=parent["id"])
    join(alice_api, bob_api, bob, groceries["id"], role="viewer")
    listed = bob_api.get("/api/todos/tasks", {"parent_id": parent["id"]})
    assert listed.status_code == 200
    assert sorted(t["title"] for t in listed.json()["results"]) == ["Eggs", "Flour"]
    stranger = bearer_client(make_user()).get("/api/todos/tasks", {"parent_id": parent["id"]})
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (404, "task_not_found")
