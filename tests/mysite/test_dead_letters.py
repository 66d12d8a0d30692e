"""One poison record does not stop the profiles stream: it is retried as configured, dead-lettered with its
error, the sign-ups after it get their welcome, and `redrive_failed` sends it after a fix."""

from __future__ import annotations

import json
import logging
import uuid
from io import StringIO

from django.core.management import call_command

from accounts.events import EVENT_SOURCES
from accounts.models import Profile
from accounts.services import account_confirm, account_sign_up
from mysite.dispatcher import Dispatcher
from mysite.invocations import dead_letter_list
from tests.conftest import latest_code, unique_email, welcome_emails
from tests.mysite.test_dispatcher import FakeClock, stream_records_for

HANDLER = "accounts.events.profile_stream_handler"


def sign_up(name: str) -> str:
    """A real sign-up: Cognito, the emailed code, confirmation (which creates the profile)."""
    email = unique_email(name.lower())
    account_sign_up(email=email, password="correct-horse-9", display_name=name)
    account_confirm(email=email, code=latest_code(email))
    return email


def test_a_poison_profile_is_dead_lettered_the_others_welcomed_once_and_redriven_after_a_fix(caplog):
    (source,) = [s for s in EVENT_SOURCES if type(s).__name__ == "StreamSource"]
    policy = source.failures
    clock = FakeClock()
    dispatcher = Dispatcher(clock=clock)  # the sources every app declares, as `manage.py dispatch_events` runs
    for _ in range(50):  # catch up with the profiles earlier tests wrote
        if not dispatcher.run_once(include_schedules=False):
            break

    # From before addresses were checked: no retry or header sanitising can make this one sendable.
    poison = Profile(
        str(uuid.uuid4()),
        email=f"{uuid.uuid4().hex[:8]}@example.com\nBcc: victim@example.com",
        display_name="Evil\nBcc: x@example.com",
    )
    poison.save()
    (poison_record,) = [r for r in stream_records_for(poison.sub) if r["eventName"] == "INSERT"]
    emails = [sign_up(f"Reader{i}") for i in range(5)]

    caplog.set_level(logging.ERROR)
    retry_budget = 1 + policy.maximum_retry_attempts  # rounds: the first delivery and each retry
    for round_number in range(retry_budget):
        dispatcher.run_once(include_schedules=False)
        assert [len(welcome_emails(email)) for email in emails] == [1] * 5, f"after round {round_number + 1}"
        clock.advance(3600)  # past any retry delay, within the records' maximum age

    failures = [
        r
        for r in caplog.records
        if r.name == "accounts.events" and poison_record["dynamodb"]["SequenceNumber"] in r.getMessage()
    ]
    assert len(failures) == 1 + policy.maximum_retry_attempts  # the first try and the configured retries
    (letter,) = [letter for letter in dead_letter_list() if poison.sub in letter.event]
    assert letter.function == HANDLER
    assert letter.attempts == 1 + policy.maximum_retry_attempts
    assert letter.error.startswith("BadHeaderError: Header values can't contain newlines")
    assert [r["dynamodb"]["Keys"]["sub"]["S"] for r in json.loads(letter.event)["Records"]] == [poison.sub]

    # The stream has moved on: a later sign-up is welcomed in the next round, with no retry of the poison.
    later = sign_up("Later")
    dispatcher.run_once(include_schedules=False)
    assert len(welcome_emails(later)) == 1
    assert [len(welcome_emails(email)) for email in emails] == [1] * 5

    # The fix: the address corrected by hand. Then the dead letter is replayed through the same handler.
    fixed = unique_email("fixed")
    Profile.get(poison.sub).update(actions=[Profile.email.set(fixed)])
    out = StringIO()
    call_command("redrive_failed", letter.id, stdout=out)
    assert f"{letter.id} replayed" in out.getvalue()
    (welcome,) = welcome_emails(fixed)
    assert welcome.subject.endswith(", Evil Bcc: x@example.com!")
    assert [letter for letter in dead_letter_list() if poison.sub in letter.event] == []
