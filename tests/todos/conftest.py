"""Helpers for the todos tests."""

from __future__ import annotations

import pytest
import requests


@pytest.fixture
def owner(user) -> str:
    """A fresh user's sub: every test its own partition."""
    return user.sub


def upload(post: dict, body: bytes, *, file_name: str = "file.bin") -> requests.Response:
    """Send a file to S3 the way the browser does: multipart POST with the policy's fields."""
    response = requests.post(post["url"], data=post["fields"], files={"file": (file_name, body)}, timeout=10)
    assert response.status_code in (200, 201, 204), response.text
    return response
