"""`Idempotency-Key` on API creates: a retry gets the first answer, never a second item or a false conflict."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from mysite.models import IdempotencyRecord
from todos.models import Task


def titles(user) -> list[str]:
    return sorted(t.title for t in Task.query(user.sub))


def test_a_create_retried_with_its_key_gets_the_first_answer_and_makes_one_task(api, user):
    key = str(uuid.uuid4())
    first = api.post("/api/todos/tasks", {"title": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post("/api/todos/tasks", {"title": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert titles(user) == ["Once"]
    record = IdempotencyRecord.get(f"{user.sub} POST /api/todos/tasks", key)
    assert timedelta(hours=23) < record.expires_at - datetime.now(UTC) <= timedelta(hours=24)


def test_without_a_key_each_create_is_its_own(api, user):
    api.post("/api/todos/tasks", {"title": "Twice"}, format="json")
    api.post("/api/todos/tasks", {"title": "Twice"}, format="json")
    assert titles(user) == ["Twice", "Twice"]


def test_a_key_reused_for_another_request_is_a_422_and_writes_nothing(api, user):
    key = str(uuid.uuid4())
    api.post("/api/todos/tasks", {"title": "First"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    other = api.post("/api/todos/tasks", {"title": "Second"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert titles(user) == ["First"]


def test_a_refused_create_frees_its_key_for_the_corrected_request(api, user):
    key = str(uuid.uuid4())
    refused = api.post("/api/todos/tasks", {"title": ""}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert refused.status_code == 400
    fixed = api.post("/api/todos/tasks", {"title": ""}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert fixed.status_code == 400  # the same bad request is refused again, not replayed as a success
    created = api.post("/api/todos/lists", {"name": "Work"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert created.status_code == 201  # another operation: another scope


def test_keys_belong_to_their_user(bearer_client, make_user):
    key = str(uuid.uuid4())
    alice, bob = make_user(), make_user()
    a = bearer_client(alice).post("/api/todos/lists", {"name": "Mine"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    b = bearer_client(bob).post("/api/todos/lists", {"name": "Mine"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]
    assert not b.has_header("Idempotent-Replayed")


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "naïve"])
def test_a_malformed_key_is_a_400(api, user, key):
    response = api.post("/api/todos/tasks", {"title": "No"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert titles(user) == []
