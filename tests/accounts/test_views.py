"""Browser sessions: sign-in forms, CSRF, token refresh, sign-out."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from accounts.models import Profile
from accounts.validators import DISPLAY_NAME_MESSAGE
from mysite.auth import SESSION_TOKENS_KEY
from mysite.models import SessionItem
from tests.conftest import latest_code, unique_email


def test_sign_in_stores_tokens_in_a_dynamodb_session(browser_client, user):
    client = browser_client(user)
    session_key = client.cookies["sessionid"].value
    item = SessionItem.get(session_key)
    assert item.expires_at.timestamp() > time.time() + 3600
    assert client.get("/accounts/profile/").status_code == 200
    assert user.email in client.get("/accounts/profile/").content.decode()


def test_sign_in_form_errors_keep_the_user_out(user):
    client = Client()
    response = client.post("/accounts/sign-in/", {"email": user.email, "password": "wrong-password-1"})
    assert response.status_code == 400
    assert "Incorrect email or password." in response.content.decode()
    assert client.get("/accounts/profile/").status_code == 302


def test_next_parameter_only_redirects_to_this_site(user):
    client = Client()
    data = {"email": user.email, "password": user.password}
    assert client.post("/accounts/sign-in/?next=/todos/", data)["Location"] == "/todos/"
    assert client.post("/accounts/sign-in/?next=https://evil.example/", data)["Location"] == "/"


def test_signed_out_session_is_gone_from_dynamodb(browser_client, user):
    client = browser_client(user)
    session_key = client.cookies["sessionid"].value
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302
    assert not _exists(session_key)
    assert client.get("/accounts/profile/").status_code == 302


def _exists(session_key: str) -> bool:
    try:
        SessionItem.get(session_key)
    except SessionItem.DoesNotExist:
        return False
    return True


def test_expired_access_token_is_refreshed_transparently(browser_client, user):
    client = browser_client(user)
    session = client.session
    old_access = session[SESSION_TOKENS_KEY]["access"]
    tokens = dict(session[SESSION_TOKENS_KEY], expires_at=time.time() - 10)
    session[SESSION_TOKENS_KEY] = tokens
    session.save()

    assert client.get("/api/accounts/me").status_code == 200
    refreshed = client.session[SESSION_TOKENS_KEY]
    assert refreshed["access"] != old_access
    assert refreshed["expires_at"] > time.time()


def test_session_with_unusable_refresh_token_becomes_anonymous(browser_client, user):
    client = browser_client(user)
    session = client.session
    session[SESSION_TOKENS_KEY] = dict(session[SESSION_TOKENS_KEY], expires_at=time.time() - 10, refresh="garbage")
    session.save()
    assert client.get("/api/accounts/me").status_code == 401
    assert client.get("/accounts/profile/").status_code == 302


def test_csrf_is_enforced_on_session_authenticated_api_writes(browser_client, user):
    client = browser_client(user, enforce_csrf_checks=True)
    response = client.patch("/api/accounts/me", {"display_name": "Sneaky"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]

    token = client.cookies["csrftoken"].value
    response = client.patch(
        "/api/accounts/me",
        {"display_name": "Honest", "version": client.get("/api/accounts/me").json()["version"]},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "Honest"


def test_csrf_is_enforced_on_forms(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/", {"email": user.email, "password": user.password})
    assert response.status_code == 403


def test_browsable_api_renders_for_a_signed_in_browser(browser_client, user):
    client = browser_client(user)
    response = client.get("/api/accounts/me", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Django REST framework" in body or "rest_framework" in body
    assert user.email in body


def test_sign_up_form_leads_to_confirmation_with_email_filled_in():
    email = unique_email("form")
    client = Client()
    response = client.post(
        "/accounts/sign-up/", {"display_name": "Form User", "email": email, "password": "correct-horse-9"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/confirm/?email={email.replace('@', '%40')}"
    page = client.get(response["Location"]).content.decode()
    assert f'value="{email}"' in page


def test_a_plus_address_survives_the_redirect_into_the_confirm_form():
    email = unique_email("a+b")
    client = Client()
    response = client.post(
        "/accounts/sign-up/", {"display_name": "Plus", "email": email, "password": "correct-horse-9"}
    )
    assert response["Location"] == f"/accounts/confirm/?email={email.replace('+', '%2B').replace('@', '%40')}"
    assert f'value="{email}"' in client.get(response["Location"]).content.decode()


def test_a_plus_address_survives_the_redirects_of_forgot_password_and_of_resend():
    email = unique_email("a+b")
    encoded = email.replace("+", "%2B").replace("@", "%40")
    client = Client()
    forgot = client.post("/accounts/password/forgot/", {"email": email})
    assert forgot["Location"] == f"/accounts/password/reset/?email={encoded}"
    assert f'value="{email}"' in client.get(forgot["Location"]).content.decode()
    resent = client.post("/accounts/confirm/resend/", {"email": email})
    assert resent["Location"] == f"/accounts/confirm/?email={encoded}"
    assert f'value="{email}"' in client.get(resent["Location"]).content.decode()


def test_too_many_wrong_passwords_in_the_sign_in_form_show_a_message_and_a_429(user, limit):
    limit("sign_in", "account", 2)
    client = Client()
    for _ in range(2):
        assert client.post("/accounts/sign-in/", {"email": user.email, "password": "wrong-horse-1"}).status_code == 400
    refused = client.post("/accounts/sign-in/", {"email": user.email, "password": user.password})
    assert refused.status_code == 429
    assert "Too many attempts; wait a little and try again. You can try again in" in refused.content.decode()
    assert "sessionid" not in refused.cookies


def test_sign_up_form_shows_password_policy_errors_and_creates_nothing():
    email = unique_email("weak")
    response = Client().post("/accounts/sign-up/", {"display_name": "Weak", "email": email, "password": "short"})
    assert response.status_code == 400
    assert "Ensure this value has at least 10 characters" in response.content.decode()
    assert latest_code_or_none(email) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [("alllowercaseletters", "A password needs a number."), ("1234567890-=", "A password needs a lowercase letter.")],
)
def test_sign_up_form_applies_the_pools_whole_policy_although_cognito_local_applies_none(password, message):
    email = unique_email("weak")
    response = Client().post("/accounts/sign-up/", {"display_name": "Weak", "email": email, "password": password})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert latest_code_or_none(email) is None


def latest_code_or_none(email: str) -> str | None:
    try:
        return latest_code(email, timeout=0.3)
    except AssertionError:
        return None


def test_sign_up_form_refuses_a_line_break_in_the_name_and_creates_nothing():
    email = unique_email("inject")
    response = Client().post(
        "/accounts/sign-up/",
        {"display_name": "Evil\nBcc: x@example.com", "email": email, "password": "correct-horse-9"},
    )
    assert response.status_code == 400
    assert DISPLAY_NAME_MESSAGE in response.content.decode()
    assert latest_code_or_none(email) is None


def test_profile_form_renames_and_refuses_control_characters(browser_client, user):
    client = browser_client(user)
    page = client.get("/accounts/profile/")
    assert 'value="Test User"' in page.content.decode()

    refused = client.post("/accounts/profile/", {"display_name": "Evil\nBcc: x@example.com"})
    assert refused.status_code == 400
    assert DISPLAY_NAME_MESSAGE in refused.content.decode()
    assert Profile.get(user.sub).display_name == "Test User"

    renamed = client.post("/accounts/profile/", {"display_name": "  New Name "})
    assert renamed.status_code == 302
    assert renamed["Location"] == "/accounts/profile/"
    assert Profile.get(user.sub).display_name == "New Name"
    assert "Your account was saved." in client.get("/accounts/profile/").content.decode()
    # The header says the new name at once, not only after the next sign-in.
    header = client.get("/accounts/nav/").content.decode()
    assert 'class="who">New Name</a>' in header
    assert "Test User" not in header


def test_profile_form_sets_the_time_zone(browser_client, user):
    client = browser_client(user)
    assert (
        '<option value="America/New_York">America/New York</option>'
        in client.get("/accounts/profile/").content.decode()
    )
    refused = client.post("/accounts/profile/", {"display_name": "Test User", "time_zone": "Nowhere/Land"})
    assert refused.status_code == 400
    assert Profile.get(user.sub).time_zone is None

    saved = client.post("/accounts/profile/", {"display_name": "Test User", "time_zone": "America/New_York"})
    assert saved.status_code == 302
    assert Profile.get(user.sub).time_zone == "America/New_York"
    assert "<dd>America/New_York</dd>" in client.get("/accounts/profile/").content.decode()


def test_the_sign_up_form_answers_a_registered_email_like_a_new_one(user):
    new_email = unique_email("new-form")
    answers = [
        Client().post("/accounts/sign-up/", {"display_name": "Someone", "email": email, "password": "correct-horse-9"})
        for email in (new_email, user.email)
    ]
    assert [a.status_code for a in answers] == [302, 302]
    assert [a["Location"].split("=", 1)[0] for a in answers] == ["/accounts/confirm/?email"] * 2
