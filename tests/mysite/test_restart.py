"""Data survives a restart of the local stack: users, sessions, profiles, files."""

from __future__ import annotations

from accounts.selectors import profile_get
from accounts.services import account_sign_in
from mysite import storage
from mysite.models import SessionItem


def test_users_sessions_profiles_and_files_survive_a_restart(restart_stack, browser_client, user):
    client = browser_client(user)
    session_key = client.cookies["sessionid"].value
    storage.object_write(f"users/{user.sub}/restart.txt", b"still here", content_type="text/plain")

    restart_stack()  # same ports, same data folder

    assert SessionItem.get(session_key, consistent_read=True).data  # the session item itself survived
    page = client.get("/accounts/profile/")
    assert page.status_code == 200  # served from that session, and its tokens still verify
    assert "sessionid" not in page.cookies  # not a fresh session: the old one was found
    assert user.email in page.content.decode()
    assert account_sign_in(email=user.email, password=user.password)["AccessToken"]  # the Cognito user too
    assert profile_get(sub=user.sub).email == user.email
    assert storage.object_read(f"users/{user.sub}/restart.txt") == b"still here"
