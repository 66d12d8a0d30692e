"""Per-account and per-client limits on the account actions, counted in DynamoDB.

Fixed windows: each (action, scope, subject) has one counter per window of `period` seconds,
incremented atomically (UpdateItem ADD) by every attempt, so the count is right across any number
of processes, threads and Lambda containers; nothing is held in memory. An attempt beyond the
limit is refused until the window ends (Retry-After). A counter expires by TTL once its window is
over. Limits come from the `ACCOUNT_THROTTLES` setting, which overrides the defaults below.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from accounts.models import AttemptCounter
from mysite.errors import Throttled


@dataclass(frozen=True)
class Limit:
    attempts: int
    period_seconds: int


# attempts per 15 minutes; an account is an email, a client is an address (see mysite.auth.client_ip).
DEFAULT_THROTTLES: dict[str, dict[str, Limit]] = {
    "sign_in": {"account": Limit(10, 900), "client": Limit(60, 900)},
    "sign_up": {"account": Limit(5, 900), "client": Limit(20, 900)},
    "confirm": {"account": Limit(10, 900), "client": Limit(60, 900)},
    "resend": {"account": Limit(5, 900), "client": Limit(20, 900)},
    "password_forgot": {"account": Limit(5, 900), "client": Limit(20, 900)},
    "password_reset": {"account": Limit(10, 900), "client": Limit(60, 900)},
}


class TooManyAttempts(Throttled):
    """Over an account's or a client's limit for an action."""


def _limits(action: str) -> dict[str, Limit]:
    configured = getattr(settings, "ACCOUNT_THROTTLES", {}).get(action, {})
    limits = dict(DEFAULT_THROTTLES[action])
    limits.update({scope: Limit(*value) for scope, value in configured.items()})
    return limits


def _count(*, action: str, scope: str, subject: str, limit: Limit, now: float) -> int | None:
    """Count one attempt; the seconds until the window ends when it is over the limit, else None."""
    window = int(now // limit.period_seconds)
    window_end = (window + 1) * limit.period_seconds
    digest = hashlib.sha256(subject.encode()).hexdigest()  # no emails or addresses kept in the table
    counter = AttemptCounter(f"{action}|{scope}|{digest}|{window}")
    counter.update(
        actions=[
            AttemptCounter.attempts.add(1),
            AttemptCounter.expires_at.set(datetime.fromtimestamp(window_end + 60, tz=UTC)),
        ]
    )
    if counter.attempts > limit.attempts:
        return max(1, math.ceil(window_end - now))
    return None


def attempt_check(*, action: str, account: str, client: str) -> None:
    """Count an attempt at `action` for the account and the client; TooManyAttempts beyond either limit."""
    now = time.time()
    waits = []
    for scope, subject in (("account", account.strip().lower()), ("client", client)):
        if not subject:
            continue  # a command-line caller has no client address
        wait = _count(action=action, scope=scope, subject=subject, limit=_limits(action)[scope], now=now)
        if wait is not None:
            waits.append(wait)
    if waits:
        raise TooManyAttempts(retry_after=max(waits))
