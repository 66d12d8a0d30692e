"""The core's fixed-window counters, against DynamoDB Local: per action and scope, hashed subjects, Retry-After."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from mysite.errors import Throttled
from mysite.models import AttemptCounter
from mysite.throttling import Limit, attempt_count, attempt_throttle

LIMIT = Limit(2, 600)
NOW = 1_800_000_123.0  # 123 s into window 3_000_000 of 600 s


def test_attempts_beyond_the_limit_wait_until_the_window_ends():
    subject = f"client-{uuid.uuid4()}"
    waits = [attempt_count(action="probe", scope="client", subject=subject, limit=LIMIT, now=NOW) for _ in range(3)]
    assert waits == [None, None, 600 - 123]
    # the next window starts afresh
    assert attempt_count(action="probe", scope="client", subject=subject, limit=LIMIT, now=NOW + 600) is None


def test_the_subject_is_kept_only_as_a_digest_and_the_counter_expires_after_its_window():
    subject = f"someone-{uuid.uuid4()}@example.org"
    attempt_count(action="probe", scope="account", subject=subject, limit=LIMIT, now=NOW)
    digest = hashlib.sha256(subject.encode()).hexdigest()
    counter = AttemptCounter.get(f"probe|account|{digest}|3000000", consistent_read=True)
    assert counter.attempts == 1
    assert counter.expires_at.timestamp() == 3_000_001 * 600 + 60


def test_actions_and_scopes_count_apart_and_the_error_carries_retry_after():
    subject = f"client-{uuid.uuid4()}"
    for _ in range(2):
        attempt_throttle(action="probe", scope="client", subject=subject, limit=LIMIT, now=NOW)
    attempt_throttle(action="other", scope="client", subject=subject, limit=LIMIT, now=NOW)
    attempt_throttle(action="probe", scope="account", subject=subject, limit=LIMIT, now=NOW)
    with pytest.raises(Throttled) as raised:
        attempt_throttle(action="probe", scope="client", subject=subject, limit=LIMIT, now=NOW)
    assert raised.value.retry_after == 600 - 123
