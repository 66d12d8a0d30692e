"""Accounts across containers: a revocation through one origin refuses the old token on every other."""

from __future__ import annotations

from tests.multicontainer.conftest import assert_write_seen_everywhere


def test_a_sign_out_everywhere_on_one_container_refuses_the_token_on_every_other(cluster, user):
    token = user.access_token

    def status(origin):
        return origin.get("/api/todos/lists", token=token).status_code

    def write():
        revoked = cluster.writer.request("POST", "/api/accounts/sign-out/everywhere", token=token)
        assert revoked.status_code == 204, revoked.text

    assert_write_seen_everywhere(cluster, read=status, write=write, before=200, after=401)
