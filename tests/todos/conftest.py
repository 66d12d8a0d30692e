"""Helpers for the todos tests."""

from __future__ import annotations

import pytest
import requests


@pytest.fixture
def owner(user) -> str:
    """A fresh user's sub: every test its own partition."""
    return user.sub


@pytest.fixture
def page(browser_client, user):
    """A browser session of the `user` fixture, signed in through the form (CSRF not enforced)."""
    return browser_client(user, enforce_csrf_checks=False)


def upload(post: dict, body: bytes, *, file_name: str = "file.bin") -> requests.Response:
    """Send a file to S3 the way the browser does: multipart POST with the policy's fields."""
    response = requests.post(post["url"], data=post["fields"], files={"file": (file_name, body)}, timeout=10)
    assert response.status_code in (200, 201, 204), response.text
    return response


def create_task(api, **fields) -> dict:
    """A task created through the API (a default title unless given), as the API answered it."""
    response = api.post("/api/todos/tasks", {"title": "A task", **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()
