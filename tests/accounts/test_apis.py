"""The account API: the whole life cycle with Bearer tokens."""

from __future__ import annotations

from accounts.models import Profile
from accounts.validators import DISPLAY_NAME_MESSAGE
from mysite.mail import mailbox_messages
from tests.conftest import latest_code, unique_email


def _sign_up(api_client, email: str, display_name: str):
    return api_client.post(
        "/api/accounts/sign-up",
        {"email": email, "password": "correct-horse-9", "display_name": display_name},
        format="json",
    )


def test_sign_up_confirm_token_me_refresh_sign_out(api_client):
    email = unique_email("api")
    response = _sign_up(api_client, email, "Alan")
    assert response.status_code == 202
    assert response.json() == {"email": email, "confirmed": False}

    response = api_client.post("/api/accounts/confirm", {"email": email, "code": latest_code(email)}, format="json")
    assert response.status_code == 200
    sub = response.json()["sub"]
    assert Profile.get(sub).display_name == "Alan"

    tokens = api_client.post("/api/accounts/token", {"email": email, "password": "correct-horse-9"}, format="json")
    assert tokens.status_code == 200
    assert tokens.json()["token_type"] == "Bearer"

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access_token']}")
    me = api_client.get("/api/accounts/me")
    assert me.json() == {
        "sub": sub,
        "email": email,
        "display_name": "Alan",
        "joined_at": me.json()["joined_at"],
        "groups": [],
        "version": Profile.get(sub).version,
        "time_zone": None,
    }
    assert me["ETag"] == f'"v{Profile.get(sub).version}"'

    refreshed = api_client.post(
        "/api/accounts/token/refresh", {"refresh_token": tokens.json()["refresh_token"]}, format="json"
    )
    assert refreshed.status_code == 200
    assert refreshed.json()["access_token"]

    signed_out = api_client.post(
        "/api/accounts/sign-out", {"refresh_token": tokens.json()["refresh_token"]}, format="json"
    )
    assert signed_out.status_code == 204


def test_sign_up_validation_errors_have_field_messages(api_client):
    response = api_client.post("/api/accounts/sign-up", {"email": "not-an-email", "password": "short"}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"email", "password", "display_name"}


def test_sign_up_for_a_registered_email_answers_like_a_new_one_and_tells_the_owner(api_client, user):
    new_email = unique_email("new")
    fresh = _sign_up(api_client, new_email, "Newcomer")
    registered = _sign_up(api_client, user.email, "Copycat")
    assert (registered.status_code, registered.json()) == (202, {"email": user.email, "confirmed": False})
    assert (fresh.status_code, fresh.json()) == (202, {"email": new_email, "confirmed": False})
    (notice,) = [m for m in mailbox_messages(to=user.email) if m.subject.startswith("Someone tried")]
    assert user.email in notice.body
    assert Profile.get(user.sub).display_name == "Test User"  # nothing changed


def _wrong_confirm(api_client, email: str):
    return api_client.post("/api/accounts/confirm", {"email": email, "code": "000000"}, format="json")


def test_a_wrong_confirmation_code_answers_the_same_for_registered_unknown_and_confirmed_emails(api_client, user):
    pending = unique_email("pending")
    _sign_up(api_client, pending, "P")
    if latest_code(pending) == "000000":
        pending = None  # the one code in a million that is right; the other two cases still compare
    answers = [_wrong_confirm(api_client, email) for email in (unique_email("unknown"), user.email, pending) if email]
    bodies = {(answer.status_code, answer.content) for answer in answers}
    assert bodies == {
        (
            400,
            b'{"error":{"code":"invalid_code","message":"This code is wrong or has expired.",'
            b'"fields":{"code":["This code is wrong or has expired."]}}}',
        )
    }


def test_forgot_password_answers_the_same_for_registered_and_unknown_emails(api_client, user):
    answers = [
        api_client.post("/api/accounts/password/forgot", {"email": email}, format="json")
        for email in (user.email, unique_email("unknown"))
    ]
    assert [(a.status_code, a.content) for a in answers] == [(202, b""), (202, b"")]


def test_wrong_password_is_401_with_one_error_shape(api_client, user):
    response = api_client.post("/api/accounts/token", {"email": user.email, "password": "nope-nope-1"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "invalid_credentials", "message": "Incorrect email or password."}}


def test_revoked_or_garbage_refresh_token_is_401(api_client):
    response = api_client.post("/api/accounts/token/refresh", {"refresh_token": "garbage"}, format="json")
    assert response.status_code == 401


def test_me_update_renames_profile_at_the_version_read(bearer_client, user):
    client = bearer_client(user)
    me = client.get("/api/accounts/me")
    version = me.json()["version"]
    assert me["ETag"] == f'"v{version}"'
    response = client.patch("/api/accounts/me", {"display_name": "  Renamed  ", "version": version}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Renamed"
    assert response.json()["version"] == version + 1
    assert response["ETag"] == f'"v{version + 1}"'
    assert Profile.get(user.sub).display_name == "Renamed"


def test_me_update_sets_and_clears_the_time_zone_and_refuses_an_unknown_one(bearer_client, user):
    client = bearer_client(user)
    me = client.get("/api/accounts/me").json()
    assert me["time_zone"] is None
    response = client.patch("/api/accounts/me", {"time_zone": "Europe/Paris", "version": me["version"]}, format="json")
    assert response.status_code == 200
    assert (response.json()["time_zone"], response.json()["display_name"]) == ("Europe/Paris", "Test User")
    assert Profile.get(user.sub).time_zone == "Europe/Paris"

    version = response.json()["version"]
    for bad in ("Mars/Olympus_Mons", "europe/paris", "../../etc/passwd"):
        refused = client.patch("/api/accounts/me", {"time_zone": bad, "version": version}, format="json")
        assert refused.status_code == 400, bad
        assert "time_zone" in refused.json()["error"]["fields"]
    assert Profile.get(user.sub).time_zone == "Europe/Paris"
    assert Profile.get(user.sub).version == version

    cleared = client.patch("/api/accounts/me", {"time_zone": "", "version": version}, format="json")
    assert cleared.status_code == 200
    assert cleared.json()["time_zone"] is None
    assert Profile.get(user.sub).time_zone is None


def test_me_update_takes_the_version_from_if_match(bearer_client, user):
    client = bearer_client(user)
    etag = client.get("/api/accounts/me")["ETag"]
    response = client.patch("/api/accounts/me", {"display_name": "By header"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert Profile.get(user.sub).display_name == "By header"


def test_me_update_without_a_version_is_428_and_changes_nothing(bearer_client, user):
    response = bearer_client(user).patch("/api/accounts/me", {"display_name": "Blind"}, format="json")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    assert Profile.get(user.sub).display_name == "Test User"


def test_me_update_at_a_stale_version_is_409_with_the_current_profile(bearer_client, user):
    client = bearer_client(user)
    version = client.get("/api/accounts/me").json()["version"]
    first = client.patch("/api/accounts/me", {"display_name": "First", "version": version}, format="json")
    assert first.status_code == 200
    response = client.patch("/api/accounts/me", {"display_name": "Second", "version": version}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "version_conflict"
    assert (error["current"]["display_name"], error["current"]["version"]) == ("First", version + 1)
    assert Profile.get(user.sub).display_name == "First"


def test_me_update_with_if_match_and_body_version_disagreeing_is_400(bearer_client, user):
    client = bearer_client(user)
    version = client.get("/api/accounts/me").json()["version"]
    response = client.patch(
        "/api/accounts/me",
        {"display_name": "Torn", "version": version},
        format="json",
        HTTP_IF_MATCH=f'"v{version + 5}"',
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["version"]
    assert Profile.get(user.sub).display_name == "Test User"


def test_me_answers_304_to_its_own_etag(bearer_client, user):
    client = bearer_client(user)
    etag = client.get("/api/accounts/me")["ETag"]
    again = client.get("/api/accounts/me", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag


def test_me_update_rejects_blank_and_unknown_input(bearer_client, user):
    client = bearer_client(user)
    response = client.patch("/api/accounts/me", {"display_name": "   ", "version": 1}, format="json")
    assert response.status_code == 400
    assert "display_name" in response.json()["error"]["fields"]
    unknown = client.patch("/api/accounts/me", {"display_name": "Fine", "version": 1, "admin": True}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"] == {"admin": ["Unknown field."]}
    assert Profile.get(user.sub).display_name == "Test User"


def test_malformed_json_is_400(bearer_client, user):
    response = bearer_client(user).generic("PATCH", "/api/accounts/me", b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"


def test_unknown_api_path_is_json_404(api_client):
    response = api_client.get("/api/accounts/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_sign_up_with_a_line_break_in_the_name_is_400_with_the_error_shape(api_client):
    email = unique_email("inject")
    response = _sign_up(api_client, email, "Evil\nBcc: x@example.com")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"display_name": [DISPLAY_NAME_MESSAGE]}


def test_me_update_with_control_characters_is_400_and_changes_nothing(bearer_client, user):
    client = bearer_client(user)
    response = client.patch("/api/accounts/me", {"display_name": "Evil\r\nBcc: x@example.com"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"display_name": [DISPLAY_NAME_MESSAGE]}
    assert Profile.get(user.sub).display_name == "Test User"
