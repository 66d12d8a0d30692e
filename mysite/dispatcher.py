"""The local event dispatcher: AWS's event plumbing for the emulators.

On AWS, Lambda reads DynamoDB Streams, S3 sends ObjectCreated notifications and
EventBridge fires schedules. Locally this reads the Streams of DynamoDB Local,
the event log that s3rver appends to, and a clock, builds the same event
documents, and calls the same handlers. Progress is checkpointed in DynamoDB,
so a restart neither repeats nor skips a record.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils.module_loading import import_string
from pynamodb.exceptions import DoesNotExist

from mysite import aws
from mysite.event_sources import (
    ScheduleSource,
    StreamSource,
    UploadSource,
    all_event_sources,
)
from mysite.models import StreamCheckpoint

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # like S3's asynchronous Lambda invocation: the first try and two retries


class LambdaContext:
    """Enough of Lambda's context object for handlers that look at it."""

    def __init__(self, function_name: str, timeout_seconds: float = 30):
        self.function_name = function_name
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def checkpoint_get(source: str) -> str | None:
    try:
        return StreamCheckpoint.get(source, consistent_read=True).position
    except DoesNotExist:
        return None


def checkpoint_set(source: str, position: str) -> None:
    StreamCheckpoint(source, position=position, updated_at=int(time.time())).save()


def lambda_record(record: dict, stream_arn: str) -> dict:
    """A GetRecords record in the shape Lambda delivers it (epoch timestamps, source ARN)."""
    record = dict(record, eventSourceARN=stream_arn)
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = created.timestamp()
    record["dynamodb"] = change
    return record


class Dispatcher:
    def __init__(self, sources: list | None = None):
        self.sources = sources if sources is not None else all_event_sources()
        self.schedule_last_run: dict[str, float] = {}
        self.failures: dict[str, int] = {}

    # --- DynamoDB Streams ---------------------------------------------------------
    def _stream_arn(self, source: StreamSource) -> str | None:
        table = source.table_model().Meta.table_name
        try:
            return aws.client("dynamodb").describe_table(TableName=table)["Table"].get("LatestStreamArn")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFoundException":
                return None
            raise

    def poll_stream(self, source: StreamSource) -> int:
        stream_arn = self._stream_arn(source)
        if not stream_arn:
            return 0
        streams = aws.client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        shards.sort(key=lambda s: int(s["SequenceNumberRange"]["StartingSequenceNumber"]))
        handled = 0
        for shard in shards:
            handled += self._poll_shard(source, stream_arn, shard["ShardId"])
        return handled

    def _poll_shard(self, source: StreamSource, stream_arn: str, shard_id: str) -> int:
        streams = aws.client("dynamodbstreams")
        # One position per (function, shard), like one Lambda event source mapping per function.
        checkpoint_key = f"{source.function}|{stream_arn}|{shard_id}"
        position = checkpoint_get(checkpoint_key)
        if position:
            iterator = streams.get_shard_iterator(
                StreamArn=stream_arn,
                ShardId=shard_id,
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=position,
            )["ShardIterator"]
        else:
            iterator = streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        handled = 0
        for _ in range(20):  # bounded per round; the next round continues
            if not iterator:
                break
            response = streams.get_records(ShardIterator=iterator, Limit=source.batch_size)
            records = response["Records"]
            if not records:
                break
            event = {"Records": [lambda_record(r, stream_arn) for r in records]}
            if not self._invoke(source.function, event):
                break  # retried next round from the same checkpoint, as Lambda retries a batch
            checkpoint_set(checkpoint_key, records[-1]["dynamodb"]["SequenceNumber"])
            handled += len(records)
            iterator = response.get("NextShardIterator")
        return handled

    # --- S3 notifications -----------------------------------------------------------
    def poll_uploads(self, uploads: list[UploadSource]) -> int:
        log_path = Path(settings.LOCAL_S3_EVENT_LOG)
        if not uploads or not log_path.exists():
            return 0
        checkpoint_key = f"s3-event-log|{log_path}"
        offset = int(checkpoint_get(checkpoint_key) or 0)
        handled = 0
        with log_path.open("rb") as log:
            log.seek(offset)
            for line in log:
                if not line.endswith(b"\n"):
                    break  # still being written
                if not self._dispatch_s3_line(line, uploads):
                    attempts = self.failures[checkpoint_key] = self.failures.get(checkpoint_key, 0) + 1
                    if attempts < MAX_ATTEMPTS:
                        break
                    logger.error("Dropping S3 event at offset %d after %d attempts", offset, attempts)
                self.failures.pop(checkpoint_key, None)
                offset += len(line)
                checkpoint_set(checkpoint_key, str(offset))
                handled += 1
        return handled

    def _dispatch_s3_line(self, line: bytes, uploads: list[UploadSource]) -> bool:
        for record in json.loads(line)["Records"]:
            if record["s3"]["bucket"]["name"] != settings.AWS_STORAGE_BUCKET_NAME:
                continue
            if not record["eventName"].startswith("ObjectCreated:"):
                continue
            key = record["s3"]["object"]["key"]
            # S3 URL-encodes object keys in notifications; s3rver does not.
            record = json.loads(json.dumps(record))
            record["s3"]["object"]["key"] = quote_plus(key, safe="/")
            record["awsRegion"] = settings.AWS_REGION
            record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{settings.AWS_STORAGE_BUCKET_NAME}"
            for upload in uploads:
                if key.startswith(upload.prefix) and not self._invoke(upload.function, {"Records": [record]}):
                    return False
        return True

    # --- Schedules ------------------------------------------------------------------
    def run_schedules(self, schedules: list[ScheduleSource], *, now: float | None = None, force: bool = False) -> int:
        now = time.time() if now is None else now
        ran = 0
        for schedule in schedules:
            last = self.schedule_last_run.get(schedule.function)
            if not force and last is not None and now - last < schedule.seconds:
                continue
            self.schedule_last_run[schedule.function] = now
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": "000000000000",
                "time": datetime.fromtimestamp(now, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": settings.AWS_REGION,
                "resources": [f"arn:aws:events:{settings.AWS_REGION}:000000000000:rule/{schedule.function}"],
                "detail": {},
            }
            self._invoke(schedule.function, event)
            ran += 1
        return ran

    # --- Driving ----------------------------------------------------------------------
    def _invoke(self, function: str, event: dict) -> bool:
        """Call a handler with an event; False if it raised (the caller retries)."""
        try:
            import_string(function)(event, LambdaContext(function))
        except Exception:
            logger.exception("Handler %s failed", function)
            return False
        return True

    def run_once(self, *, include_schedules: bool = True) -> int:
        """One pass over every source; returns how many records were handled."""
        handled = 0
        for source in self.sources:
            if isinstance(source, StreamSource):
                handled += self.poll_stream(source)
        handled += self.poll_uploads([s for s in self.sources if isinstance(s, UploadSource)])
        if include_schedules:
            self.run_schedules([s for s in self.sources if isinstance(s, ScheduleSource)])
        return handled

    def run_forever(self, *, interval: float = 0.5, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                logger.exception("Dispatcher round failed; retrying")
                stop.wait(2)
            stop.wait(interval)
