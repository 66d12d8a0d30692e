from __future__ import annotations

import pytest

from accounts import services
from accounts.models import Profile
from accounts.selectors import profile_get
from mysite.mail import mailbox_messages
from tests.conftest import latest_code, unique_email


def test_sign_up_confirm_sign_in_creates_profile():
    email = unique_email()
    sub = services.account_sign_up(email=email, password="correct-horse-9", display_name="Ada")
    assert profile_get(sub=sub) is None  # no profile until confirmed

    profile = services.account_confirm(email=email, code=latest_code(email))

    assert profile.sub == sub
    assert profile.email == email
    assert profile.display_name == "Ada"
    tokens = services.account_sign_in(email=email, password="correct-horse-9")
    assert set(tokens) >= {"AccessToken", "IdToken", "RefreshToken"}


def test_sign_up_twice_with_same_email_is_a_conflict():
    email = unique_email()
    services.account_sign_up(email=email, password="correct-horse-9", display_name="Ada")
    with pytest.raises(services.AccountExists):
        services.account_sign_up(email=email, password="correct-horse-9", display_name="Ada")


def test_confirm_with_wrong_code_is_rejected_and_creates_nothing():
    email = unique_email()
    sub = services.account_sign_up(email=email, password="correct-horse-9", display_name="Ada")
    wrong = "000000" if latest_code(email) != "000000" else "111111"
    with pytest.raises(services.InvalidCode):
        services.account_confirm(email=email, code=wrong)
    assert profile_get(sub=sub) is None


def test_sign_in_before_confirmation_says_so():
    email = unique_email()
    services.account_sign_up(email=email, password="correct-horse-9", display_name="Ada")
    with pytest.raises(services.AccountNotConfirmed):
        services.account_sign_in(email=email, password="correct-horse-9")


def test_wrong_password_is_invalid_credentials(user):
    with pytest.raises(services.InvalidCredentials):
        services.account_sign_in(email=user.email, password="wrong-password-1")


def test_forgot_and_reset_password(user):
    services.password_forgot(email=user.email)
    services.password_reset(email=user.email, code=latest_code(user.email), new_password="new-horse-battery-7")

    assert services.account_sign_in(email=user.email, password="new-horse-battery-7")["AccessToken"]
    with pytest.raises(services.InvalidCredentials):
        services.account_sign_in(email=user.email, password=user.password)


def test_forgot_password_for_unknown_email_reveals_nothing():
    services.password_forgot(email=unique_email())  # no exception, same answer as for a real account


def test_user_create_puts_user_in_groups_and_tokens_carry_them(make_user):
    from mysite.auth import verify_token

    author = make_user(groups=("authors",))
    claims = verify_token(author.access_token)
    assert claims["cognito:groups"] == ["authors"]
    assert claims["sub"] == author.sub


def test_welcome_email_is_sent_exactly_once_per_profile(user):
    assert services.welcome_email_send(sub=user.sub) is True
    assert services.welcome_email_send(sub=user.sub) is False

    welcomes = [m for m in mailbox_messages(to=user.email) if m.subject.startswith("Welcome")]
    assert len(welcomes) == 1
    assert "Test User" in welcomes[0].body
    assert Profile.get(user.sub).welcome_email_sent_at is not None


def test_failed_send_releases_the_claim_so_a_retry_sends(user, monkeypatch):
    import accounts.services as account_services

    def broken_send(**kwargs):
        raise ConnectionError("SES down")

    monkeypatch.setattr(account_services, "send_mail", broken_send)
    with pytest.raises(ConnectionError):
        services.welcome_email_send(sub=user.sub)
    assert Profile.get(user.sub).welcome_email_sent_at is None

    monkeypatch.undo()
    assert services.welcome_email_send(sub=user.sub) is True
    assert len([m for m in mailbox_messages(to=user.email) if m.subject.startswith("Welcome")]) == 1
