"""Fixed-window attempt counters in DynamoDB: the one rate-limit primitive every app builds its limits on.

Each (action, scope, subject) has one counter per window of `period_seconds`, incremented
atomically (UpdateItem ADD) by every attempt, so the count is right across any number of
processes, threads and Lambda containers; nothing is held in memory. An attempt beyond the limit
is refused until the window ends (Retry-After). A counter expires by TTL a minute after its
window. Subjects are stored as SHA-256 digests: no emails or addresses are kept in the table.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from mysite.errors import Throttled
from mysite.models import AttemptCounter


@dataclass(frozen=True)
class Limit:
    attempts: int
    period_seconds: int


def attempt_count(*, action: str, scope: str, subject: str, limit: Limit, now: float | None = None) -> int | None:
    """Count one attempt; the seconds until the window ends when it is over the limit, else None."""
    now = time.time() if now is None else now
    window = int(now // limit.period_seconds)
    window_end = (window + 1) * limit.period_seconds
    digest = hashlib.sha256(subject.encode()).hexdigest()
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


def attempt_throttle(
    *, action: str, scope: str, subject: str, limit: Limit, now: float | None = None, error: type[Throttled] = Throttled
) -> None:
    """Count one attempt; raise `error` (429 with Retry-After) once over the window's limit."""
    wait = attempt_count(action=action, scope=scope, subject=subject, limit=limit, now=now)
    if wait is not None:
        raise error(retry_after=wait)
