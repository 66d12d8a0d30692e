from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from accounts import services
from accounts.models import Profile
from accounts.selectors import profile_get
from accounts.validators import DISPLAY_NAME_MESSAGE
from mysite import cognito
from mysite.errors import InvalidInput
from mysite.mail import mailbox_messages
from tests.conftest import latest_code, unique_email, welcome_emails


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


def test_sign_up_twice_with_same_email_changes_nothing_and_emails_the_owner():
    email = unique_email()
    sub = services.account_sign_up(email=email, password="correct-horse-9", display_name="Ada")
    assert services.account_sign_up(email=email, password="other-horse-9", display_name="Eve") is None
    profile = services.account_confirm(email=email, code=latest_code(email))
    assert (profile.sub, profile.display_name) == (sub, "Ada")
    assert len([m for m in mailbox_messages(to=email) if m.subject.startswith("Someone tried")]) == 1


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

    welcomes = welcome_emails(user.email)
    assert len(welcomes) == 1
    assert "Test User" in welcomes[0].body
    assert Profile.get(user.sub).welcome_email_sent_at is not None


def test_failed_send_releases_the_claim_so_a_retry_sends(user, monkeypatch):
    import accounts.services.welcome as account_services

    def broken_send(**kwargs):
        raise ConnectionError("SES down")

    monkeypatch.setattr(account_services, "send_mail", broken_send)
    with pytest.raises(ConnectionError):
        services.welcome_email_send(sub=user.sub)
    assert Profile.get(user.sub).welcome_email_sent_at is None

    monkeypatch.undo()
    assert services.welcome_email_send(sub=user.sub) is True
    assert len(welcome_emails(user.email)) == 1


POISONED_NAME = "Evil\nBcc: x@example.com"


def no_cognito_user(email: str) -> bool:
    from django.conf import settings

    from mysite import cognito

    try:
        cognito.call("admin_get_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=email)
    except cognito.CognitoError as error:
        return error.reason == "UserNotFoundException"
    return False


@pytest.mark.parametrize("name", [POISONED_NAME, "Evil\rBcc: x@example.com", "Tab\tname", "Sep\u2028arated"])
def test_a_display_name_with_control_characters_is_refused_at_sign_up_and_creates_nothing(name):
    email = unique_email("inject")
    with pytest.raises(InvalidInput) as refused:
        services.account_sign_up(email=email, password="correct-horse-9", display_name=name)
    assert refused.value.fields == {"display_name": [DISPLAY_NAME_MESSAGE]}
    assert no_cognito_user(email)


def test_emoji_and_accents_are_fine_in_a_display_name():
    email = unique_email("emoji")
    services.account_sign_up(email=email, password="correct-horse-9", display_name="Zoë 👩\u200d💻")
    assert not no_cognito_user(email)


def test_profile_update_refuses_control_characters_and_changes_nothing(user):
    with pytest.raises(InvalidInput):
        services.profile_update(sub=user.sub, display_name=POISONED_NAME)
    assert Profile.get(user.sub).display_name == "Test User"


def poisoned_profile() -> Profile:
    """A profile from before names were checked: written straight to the table."""
    profile = Profile(str(uuid.uuid4()), email=unique_email("old"), display_name=POISONED_NAME)
    profile.save()
    return profile


def test_an_old_poisoned_name_is_sanitised_in_the_welcome_subject_and_injects_no_header():
    profile = poisoned_profile()
    assert services.welcome_email_send(sub=profile.sub) is True
    (message,) = welcome_emails(profile.email)
    assert message.subject.endswith(", Evil Bcc: x@example.com!")
    raw = next(Path(settings.LOCAL_MAILBOX_DIR).glob(f"{message.id}.eml")).read_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers


class Crash(BaseException):
    """Stands for `kill -9`: nothing in the service gets to clean up after it."""


def _crash_after_claiming(sub: str, monkeypatch) -> None:
    import accounts.services.welcome as account_services

    def crashing_send(**kwargs):
        raise Crash()

    monkeypatch.setattr(account_services, "send_mail", crashing_send)
    with pytest.raises(Crash):
        services.welcome_email_send(sub=sub)
    monkeypatch.undo()


def _expire_lease(sub: str) -> None:
    Profile.get(sub).update(
        actions=[Profile.welcome_claimed_until.set(datetime.now(UTC) - timedelta(seconds=1))],
        add_version_condition=False,
    )


def test_a_crash_between_claim_and_send_leaves_a_lease_that_a_later_delivery_takes_over(user, monkeypatch):
    _crash_after_claiming(user.sub, monkeypatch)
    claimed = Profile.get(user.sub)
    assert claimed.welcome_email_sent_at is None
    assert claimed.welcome_claimed_until > datetime.now(UTC) + timedelta(seconds=250)

    # While the lease holds, a redelivery succeeds without sending: the sweeper owns the email now.
    assert services.welcome_email_send(sub=user.sub) is False
    assert len(welcome_emails(user.email)) == 0

    # Once the lease has run out, the next delivery sends, and the email is marked sent.
    _expire_lease(user.sub)
    assert services.welcome_email_send(sub=user.sub) is True
    assert len(welcome_emails(user.email)) == 1
    sent = Profile.get(user.sub)
    assert sent.welcome_email_sent_at is not None
    assert sent.welcome_claimed_until is None
    assert services.welcome_email_send(sub=user.sub) is False


def _open_claims() -> set[str]:
    return {entry.sub for entry in Profile.open_welcome_claims.query("open")}


def test_the_sweeper_sends_a_welcome_whose_holder_died_once_its_lease_is_over_and_only_once(user, monkeypatch):
    _crash_after_claiming(user.sub, monkeypatch)
    assert user.sub in _open_claims()  # the claim put the profile in the sparse index

    services.welcome_email_sweep()
    assert len(welcome_emails(user.email)) == 0  # the lease still holds: the holder may be alive

    _expire_lease(user.sub)
    assert services.welcome_email_sweep() >= 1
    assert len(welcome_emails(user.email)) == 1
    assert user.sub not in _open_claims()  # sent: out of the index
    services.welcome_email_sweep()
    assert services.welcome_email_send(sub=user.sub) is False  # the stream's redelivery
    assert len(welcome_emails(user.email)) == 1


def test_a_failing_send_in_the_sweeper_keeps_its_claim_for_the_next_sweep(user, monkeypatch):
    import accounts.services.welcome as account_services

    _crash_after_claiming(user.sub, monkeypatch)
    _expire_lease(user.sub)

    def broken_send(**kwargs):
        raise ConnectionError("SES is down")

    monkeypatch.setattr(account_services, "send_mail", broken_send)
    services.welcome_email_sweep()
    monkeypatch.undo()
    assert user.sub in _open_claims()
    assert Profile.get(user.sub).welcome_claimed_until > datetime.now(UTC)  # a fresh lease, not released

    _expire_lease(user.sub)
    services.welcome_email_sweep()
    assert len(welcome_emails(user.email)) == 1


def test_the_sweep_is_a_schedule_of_the_accounts_app():
    from accounts.events import EVENT_SOURCES
    from mysite.event_sources import ScheduleSource

    (schedule,) = [source for source in EVENT_SOURCES if isinstance(source, ScheduleSource)]
    assert (schedule.function, schedule.seconds) == ("accounts.events.welcome_email_sweep_handler", 60)


def test_the_lease_length_comes_from_settings(user, monkeypatch, settings):
    import accounts.services.welcome as account_services

    settings.WELCOME_EMAIL_LEASE_SECONDS = 7

    def crashing_send(**kwargs):
        raise Crash()

    monkeypatch.setattr(account_services, "send_mail", crashing_send)
    before = datetime.now(UTC)
    with pytest.raises(Crash):
        services.welcome_email_send(sub=user.sub)
    lease = Profile.get(user.sub).welcome_claimed_until - before
    assert timedelta(seconds=6) < lease < timedelta(seconds=8)


def test_a_rename_between_claim_and_send_does_not_fail_the_sent_mark(user, monkeypatch):
    import accounts.services.welcome as account_services

    real_send = account_services.send_mail

    def send_while_renamed(**kwargs):
        services.profile_update(sub=user.sub, display_name="Renamed Meanwhile")
        return real_send(**kwargs)

    monkeypatch.setattr(account_services, "send_mail", send_while_renamed)
    assert services.welcome_email_send(sub=user.sub) is True
    monkeypatch.undo()
    assert Profile.get(user.sub).welcome_email_sent_at is not None
    assert services.welcome_email_send(sub=user.sub) is False
    assert len(welcome_emails(user.email)) == 1


def test_the_plain_text_welcome_shows_the_name_as_typed_without_html_entities(make_user):
    user = make_user(name="O'Brien & <Sons>")
    assert services.welcome_email_send(sub=user.sub) is True
    (welcome,) = welcome_emails(user.email)
    assert welcome.body.startswith("Hello O'Brien & <Sons>,\n")
    assert "&amp;" not in welcome.body
    assert "&#x27;" not in welcome.body


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("alllowercaseletters", "a number"),
        ("ONLYCAPITALS123", "a lowercase letter"),
        ("short-1", "at least 10 characters"),
    ],
)
def test_a_password_against_the_pools_policy_is_refused_by_sign_up_reset_and_create(user, password, problem):
    """cognito-local takes any password: the app checks the policy the pool is provisioned with, as AWS would."""
    email = unique_email("weak")
    with pytest.raises(InvalidInput) as refused:
        services.account_sign_up(email=email, password=password, display_name="Weak")
    assert problem in refused.value.message
    assert "password" in refused.value.fields
    with pytest.raises(InvalidInput):
        services.user_create(email=email, password=password, display_name="Weak", groups=[])
    with pytest.raises(cognito.CognitoError) as missing:
        cognito.call("admin_get_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=email)
    assert missing.value.reason == "UserNotFoundException"

    # The policy is checked before Cognito hears of the reset: no code is needed to see it refused.
    with pytest.raises(InvalidInput) as refused:
        services.password_reset(email=user.email, code="123456", new_password=password)
    assert problem in refused.value.message
    assert services.account_sign_in(email=user.email, password=user.password)["AccessToken"]


def test_the_pool_is_provisioned_with_the_policy_the_app_checks():
    pool = cognito.call("describe_user_pool", UserPoolId=settings.COGNITO_USER_POOL_ID)["UserPool"]
    provisioned = pool["Policies"]["PasswordPolicy"]
    assert {rule: provisioned[rule] for rule in cognito.PASSWORD_POLICY} == cognito.PASSWORD_POLICY
