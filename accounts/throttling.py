"""Per-account and per-client limits on the account actions, on the core's fixed-window counters.

The counting (atomic, right across processes, threads and Lambda containers; nothing in memory)
is `mysite.throttling`; this module holds the account actions' limits. Limits come from the
`ACCOUNT_THROTTLES` setting, which overrides the defaults below.
"""

from __future__ import annotations

import time

from django.conf import settings

from accounts.errors import TooManyAttempts
from mysite.throttling import Limit, attempt_count

__all__ = ["DEFAULT_THROTTLES", "Limit", "TooManyAttempts", "attempt_check"]


# attempts per 15 minutes; an account is an email, a client is an address (see mysite.auth.client_ip).
DEFAULT_THROTTLES: dict[str, dict[str, Limit]] = {
    "sign_in": {"account": Limit(10, 900), "client": Limit(60, 900)},
    "sign_up": {"account": Limit(5, 900), "client": Limit(20, 900)},
    "confirm": {"account": Limit(10, 900), "client": Limit(60, 900)},
    "resend": {"account": Limit(5, 900), "client": Limit(20, 900)},
    "password_forgot": {"account": Limit(5, 900), "client": Limit(20, 900)},
    "password_reset": {"account": Limit(10, 900), "client": Limit(60, 900)},
}


def _limits(action: str) -> dict[str, Limit]:
    configured = getattr(settings, "ACCOUNT_THROTTLES", {}).get(action, {})
    limits = dict(DEFAULT_THROTTLES[action])
    limits.update({scope: Limit(*value) for scope, value in configured.items()})
    return limits


def attempt_check(*, action: str, account: str, client: str) -> None:
    """Count an attempt at `action` for the account and the client; TooManyAttempts beyond either limit."""
    now = time.time()
    waits = []
    for scope, subject in (("account", account.strip().lower()), ("client", client)):
        if not subject:
            continue  # a command-line caller has no client address
        wait = attempt_count(action=action, scope=scope, subject=subject, limit=_limits(action)[scope], now=now)
        if wait is not None:
            waits.append(wait)
    if waits:
        raise TooManyAttempts(retry_after=max(waits))
