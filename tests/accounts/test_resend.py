"""A new confirmation code, from the API and from the confirmation page; throttled; telling nothing."""

from __future__ import annotations

import time

from django.test import Client

from accounts import services
from mysite.mail import mailbox_messages
from tests.conftest import latest_code, unique_email


def _codes(email: str, *, expected: int = 0) -> int:
    """How many codes were mailed to `email`, waiting (at most 5 s) for `expected`: the stack relays them."""
    deadline = time.monotonic() + 5
    while True:
        count = len([m for m in mailbox_messages(to=email) if "verification code" in m.subject])
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def test_a_resent_code_confirms_the_account(api_client):
    email = unique_email("resend")
    services.account_sign_up(email=email, password="correct-horse-9", display_name="Res")
    latest_code(email)
    response = api_client.post("/api/accounts/confirm/resend", {"email": email}, format="json")
    assert (response.status_code, response.content) == (202, b"")
    assert _codes(email, expected=2) == 2
    confirmed = api_client.post("/api/accounts/confirm", {"email": email, "code": latest_code(email)}, format="json")
    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == email


def test_resend_answers_the_same_for_unknown_and_confirmed_emails_and_sends_them_nothing(api_client, user):
    unknown = unique_email("unknown")
    answers = [
        api_client.post("/api/accounts/confirm/resend", {"email": email}, format="json")
        for email in (unknown, user.email)
    ]
    assert [(a.status_code, a.content) for a in answers] == [(202, b""), (202, b"")]
    assert _codes(unknown) == 0
    assert _codes(user.email, expected=1) == 0  # waited for: a code would be relayed within 5 s


def test_resend_is_throttled_per_account(api_client, limit):
    limit("resend", "account", 1)
    email = unique_email("resend-limit")
    assert api_client.post("/api/accounts/confirm/resend", {"email": email}, format="json").status_code == 202
    refused = api_client.post("/api/accounts/confirm/resend", {"email": email}, format="json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) >= 1


def test_the_confirmation_page_offers_a_new_code_and_keeps_the_email():
    email = unique_email("a+page")
    services.account_sign_up(email=email, password="correct-horse-9", display_name="Page")
    latest_code(email)
    client = Client()
    page = client.get("/accounts/confirm/", {"email": email}).content.decode()
    assert 'action="/accounts/confirm/resend/"' in page
    assert f'name="email" value="{email}"' in page

    response = client.post("/accounts/confirm/resend/", {"email": email}, follow=True)
    assert response.redirect_chain[-1][0] == f"/accounts/confirm/?email={email.replace('+', '%2B').replace('@', '%40')}"
    assert "we emailed it a new code" in response.content.decode()
    assert _codes(email, expected=2) == 2
