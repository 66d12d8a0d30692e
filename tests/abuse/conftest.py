"""Abuse tests: two users, A (the owner of everything) and B (the intruder)."""

from __future__ import annotations

import pytest
import requests


@pytest.fixture(scope="module")
def owner_and_intruder(local_stack):
    """Two fresh users for the module: every object below belongs to the first."""
    from accounts.services import user_create
    from tests.conftest import TestUser, unique_email

    users = []
    for name in ("Owner A", "Intruder B"):
        email = unique_email("abuse")
        created = user_create(email=email, password="correct-horse-9", display_name=name, groups=[])
        users.append(TestUser(email=email, password="correct-horse-9", name=name, sub=created.sub))
    return tuple(users)


def s3_upload(post: dict, body: bytes, *, file_name: str = "file.bin", **fields) -> requests.Response:
    """Send a file the way a browser does: multipart POST with the policy's fields (some overridden)."""
    return requests.post(post["url"], data={**post["fields"], **fields}, files={"file": (file_name, body)}, timeout=10)
