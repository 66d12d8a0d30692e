"""Calling an event handler as Lambda does, and the dead letters of what handlers keep failing on.

The local dispatcher and `manage.py redrive_failed` share this: one way to invoke a
handler, read its partial batch response, and keep or replay a dead letter.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.utils.module_loading import import_string
from pynamodb.exceptions import DoesNotExist

from mysite.models import DeadLetter

logger = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 4000


class LambdaContext:
    """Enough of Lambda's context object for handlers that look at it."""

    def __init__(self, function_name: str, timeout_seconds: float = 30):
        self.function_name = function_name
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# --- Invoking a handler ------------------------------------------------------------


@dataclass
class Invocation:
    """What one call of a handler came to."""

    response: object = None
    error: str | None = None  # the exception that escaped the handler
    logged_error: str | None = None  # the last exception the handler logged (e.g. for a reported record)

    @property
    def error_text(self) -> str:
        return (self.error or self.logged_error or "the handler reported the record as failed")[:ERROR_TEXT_LIMIT]


class _ErrorCapture(logging.Handler):
    """Collects the exceptions logged by one thread while a handler runs (other threads are ignored)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.thread = threading.get_ident()
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        if record.exc_info and record.exc_info[1] is not None:
            self.last = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        else:
            self.last = record.getMessage()


@contextmanager
def _capturing_errors() -> Iterator[_ErrorCapture]:
    capture = _ErrorCapture()
    root = logging.getLogger()
    root.addHandler(capture)
    try:
        yield capture
    finally:
        root.removeHandler(capture)


def invoke(function: str, event: dict) -> Invocation:
    """Call the handler `function` with `event` as Lambda would; an exception becomes `error`.

    Safe with several threads: each call only captures the errors logged by its own thread.
    """
    with _capturing_errors() as capture:
        try:
            response = import_string(function)(event, LambdaContext(function))
        except Exception as error:
            logger.exception("Handler %s failed", function)
            return Invocation(error=f"{type(error).__name__}: {error}"[:ERROR_TEXT_LIMIT])
    return Invocation(response=response, logged_error=capture.last)


def reported_failures(records: list[dict], response: object) -> list[int] | None:
    """Indexes of the records a stream handler reported failed; None when the report is malformed.

    As Lambda reads ReportBatchItemFailures: no response or an empty list is success; an
    identifier that is empty or names no record of the batch fails the whole batch.
    """
    failures = response.get("batchItemFailures") if isinstance(response, dict) else None
    if not failures:
        return []
    index = {record["dynamodb"]["SequenceNumber"]: i for i, record in enumerate(records)}
    identifiers = [failure.get("itemIdentifier") if isinstance(failure, dict) else None for failure in failures]
    if any(identifier not in index for identifier in identifiers):
        return None
    return sorted({index[identifier] for identifier in identifiers})


# --- Dead letters -------------------------------------------------------------------


def _json_default(value: object) -> object:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dead_letter_put(*, function: str, source: str, event: dict, error: str, attempts: int, unit: str) -> DeadLetter:
    """Keep what a handler kept failing on; `unit` names it within `source`, so writing it twice is harmless."""
    digest = hashlib.sha256(f"{function}|{source}|{unit}".encode()).hexdigest()[:20]
    letter = DeadLetter(
        digest,
        function=function,
        source=source,
        event=json.dumps(event, default=_json_default, separators=(",", ":")),
        error=error[:ERROR_TEXT_LIMIT],
        attempts=attempts,
    )
    letter.save()
    logger.error("Gave up on %s for %s after %d attempt(s): %s (letter %s)", unit, function, attempts, error, digest)
    return letter


def dead_letter_list() -> list[DeadLetter]:
    """Every dead letter, oldest first."""
    return list(DeadLetter.by_failed_at.query("dead-letter", scan_index_forward=True))


def dead_letter_get(*, letter_id: str) -> DeadLetter | None:
    try:
        return DeadLetter.get(letter_id, consistent_read=True)
    except DoesNotExist:
        return None


def dead_letter_redrive(*, letter: DeadLetter) -> str | None:
    """Replay a dead letter through its handler: deleted on success; kept with the new error otherwise.

    Returns the error text, or None when the handler succeeded.
    """
    event = json.loads(letter.event)
    outcome = invoke(letter.function, event)
    error = outcome.error
    if error is None and event.get("Records") and "dynamodb" in event["Records"][0]:
        failed = reported_failures(event["Records"], outcome.response)
        if failed is None or failed:
            error = outcome.error_text
    if error is None:
        letter.delete()
        return None
    letter.update(
        actions=[
            DeadLetter.error.set(error[:ERROR_TEXT_LIMIT]),
            DeadLetter.redrive_attempts.set(DeadLetter.redrive_attempts + 1),
        ]
    )
    return error
