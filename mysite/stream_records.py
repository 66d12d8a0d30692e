"""Stream checkpoints in DynamoDB and the shapes of records as Lambda delivers them (for the local dispatcher)."""

from __future__ import annotations

import time
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from mysite.event_sources import FailurePolicy
from mysite.models import StreamCheckpoint


def checkpoint_load(source: str) -> StreamCheckpoint:
    """The checkpoint of `source` (a fresh, unsaved one at the start)."""
    try:
        return StreamCheckpoint.get(source, consistent_read=True)
    except DoesNotExist:
        return StreamCheckpoint(source, position="")


def checkpoint_get(source: str) -> str | None:
    return checkpoint_load(source).position or None


def checkpoint_set(source: str, position: str) -> StreamCheckpoint:
    """Move `source` to `position` and clear its retry state."""
    checkpoint = StreamCheckpoint(source, position=position, updated_at=int(time.time()))
    checkpoint.save()
    return checkpoint


def lambda_record(record: dict, stream_arn: str) -> dict:
    """A GetRecords record in the shape Lambda delivers it (epoch timestamps, source ARN)."""
    record = dict(record, eventSourceARN=stream_arn)
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = created.timestamp()
    record["dynamodb"] = change
    return record


def record_too_old(policy: FailurePolicy, now: float, record: dict) -> bool:
    return too_old(policy, record["dynamodb"]["ApproximateCreationDateTime"], now)


def too_old(policy: FailurePolicy, created: float, now: float) -> bool:
    limit = policy.maximum_record_age_seconds
    return limit is not None and limit >= 0 and now - created > limit


def event_time(record: dict, now: float) -> float:
    """When an S3 notification happened (epoch seconds); `now` if it does not say."""
    value = record.get("eventTime")
    if not value:
        return now
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
