"""Declarations of which handler each event source feeds.

Each app lists its sources in `<app>/events.py` as `EVENT_SOURCES`. The local
dispatcher reads them to call the handlers, and the deployment renders the
same list into Zappa's `events` — one declaration for both worlds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import import_string

from mysite.registry import declared


@dataclass(frozen=True)
class FailurePolicy:
    """What becomes of a record or event whose handler keeps failing: the same numbers on AWS and locally.

    On AWS they are rendered into the stream's event source mapping (MaximumRetryAttempts,
    BisectBatchOnFunctionError, MaximumRecordAgeInSeconds, an SQS on-failure destination) and
    into the asynchronous invoke configuration of S3 and schedule handlers (MaximumRetryAttempts
    0-2, MaximumEventAgeInSeconds, the same destination). Locally the dispatcher applies them and
    writes what is given up on to the dead-letter table, which `manage.py redrive_failed` replays.
    """

    maximum_retry_attempts: int = 2
    maximum_record_age_seconds: int = 6 * 3600
    bisect_batch_on_error: bool = True  # streams only: split a failing batch to find the poison record


STREAM_FAILURES = FailurePolicy()
# Lambda's asynchronous invocations (S3, schedules) retry at most twice.
ASYNC_FAILURES = FailurePolicy(maximum_retry_attempts=2, bisect_batch_on_error=False)


@dataclass(frozen=True)
class StreamSource:
    """A DynamoDB Stream of the table of `model` (dotted path).

    Handlers report partial batch failures (`{"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}]}`,
    Lambda's ReportBatchItemFailures), so the records before the first failure are not retried.
    """

    function: str
    model: str
    batch_size: int = 25
    failures: FailurePolicy = STREAM_FAILURES

    def table_model(self):
        return import_string(self.model)


@dataclass(frozen=True)
class UploadSource:
    """S3 ObjectCreated events under `prefix` of the site's bucket."""

    function: str
    prefix: str
    failures: FailurePolicy = ASYNC_FAILURES


@dataclass(frozen=True)
class ScheduleSource:
    """A scheduled event; `rate` is a CloudWatch expression such as `rate(1 minute)`."""

    function: str
    rate: str
    failures: FailurePolicy = ASYNC_FAILURES

    @property
    def seconds(self) -> int:
        amount, unit = self.rate.removeprefix("rate(").removesuffix(")").split()
        return int(amount) * {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400}[unit]


def all_event_sources() -> list[StreamSource | UploadSource | ScheduleSource]:
    """The sources declared by every installed app."""
    return declared("events", "EVENT_SOURCES")
