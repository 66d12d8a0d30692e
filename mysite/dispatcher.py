"""The local event dispatcher: AWS's event plumbing for the emulators.

On AWS, Lambda reads DynamoDB Streams, S3 sends ObjectCreated notifications and
EventBridge fires schedules. Locally this reads the Streams of DynamoDB Local,
the event log that s3rver appends to, and a clock, builds the same event
documents, and calls the same handlers. Progress is checkpointed in DynamoDB,
so a restart neither repeats nor skips a record.

Failures follow each source's `FailurePolicy` as Lambda applies it: a stream
batch is checkpointed up to the record before the first reported failure
(`batchItemFailures`), a batch whose handler raises is bisected (a split is not a
retry), a unit is retried at most `maximum_retry_attempts` times and records older
than `maximum_record_age_seconds` are not delivered; what is given up on goes to
the dead-letter table and the source moves on. The retry state lives on the
checkpoint item in DynamoDB, so a restarted dispatcher carries on where it was.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from itertools import takewhile
from pathlib import Path
from urllib.parse import quote_plus

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import aws
from mysite.event_sources import (
    FailurePolicy,
    ScheduleSource,
    StreamSource,
    UploadSource,
    all_event_sources,
)
from mysite.invocations import Invocation, dead_letter_put, invoke, reported_failures
from mysite.models import StreamCheckpoint
from mysite.stream_records import (
    checkpoint_get,
    checkpoint_load,
    checkpoint_set,
    event_time,
    lambda_record,
    record_too_old,
    too_old,
)

logger = logging.getLogger(__name__)

# Lambda spaces its retries (asynchronous invocations: about 1 and 2 minutes); locally the first
# retry waits this long and each next one twice as long, short enough for a development loop.
RETRY_DELAY_SECONDS = 1.0
SHARD_INVOCATIONS_PER_ROUND = 20
LOG_LINES_PER_ROUND = 200


class Dispatcher:
    """Feeds the local sources to their handlers. Use one per process; several processes on one stack would
    deliver the same records twice (handlers are idempotent, so that costs work, not correctness)."""

    def __init__(
        self,
        sources: list | None = None,
        *,
        retry_delay_seconds: float = RETRY_DELAY_SECONDS,
        clock: Callable[[], float] = time.time,
    ):
        self.sources = sources if sources is not None else all_event_sources()
        self.retry_delay_seconds = retry_delay_seconds
        self.clock = clock  # epoch seconds: when retries fall due and how old records are
        self.schedule_last_run: dict[str, float] = {}

    def _retry_at(self, attempts: int, now: float) -> float:
        return now + self.retry_delay_seconds * 2 ** max(0, attempts - 1) if self.retry_delay_seconds else 0

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

    def _read_shard(self, stream_arn: str, shard_id: str, position: str, limit: int) -> list[dict]:
        streams = aws.client("dynamodbstreams")
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
        records = streams.get_records(ShardIterator=iterator, Limit=limit)["Records"]
        return [lambda_record(record, stream_arn) for record in records]

    def _poll_shard(self, source: StreamSource, stream_arn: str, shard_id: str) -> int:
        # One position per (function, shard), like one Lambda event source mapping per function.
        checkpoint_key = f"{source.function}|{stream_arn}|{shard_id}"
        policy = source.failures
        state = checkpoint_load(checkpoint_key)
        handled = 0
        for _ in range(SHARD_INVOCATIONS_PER_ROUND):  # bounded per round; the next round continues
            now = self.clock()
            if state.retry_at and state.retry_at > now:
                break
            records = self._read_shard(stream_arn, shard_id, state.position, state.batch_limit or source.batch_size)
            if not records:
                break
            # Records age in shard order, so the expired ones lead the batch; Lambda drops them unread.
            expired = list(takewhile(partial(record_too_old, policy, now), records))
            if expired:
                dead_letter_put(
                    function=source.function,
                    source=checkpoint_key,
                    event={"Records": expired},
                    error=f"Record older than {policy.maximum_record_age_seconds} s; not delivered.",
                    attempts=state.attempts,
                    unit=expired[0]["dynamodb"]["SequenceNumber"],
                )
                state = self._advance(checkpoint_key, expired[-1])
                continue
            outcome = invoke(source.function, {"Records": records})
            failed = reported_failures(records, outcome.response) if outcome.error is None else None
            if failed == []:
                state = self._advance(checkpoint_key, records[-1])
                handled += len(records)
                continue
            if failed and failed[0] > 0:
                # The records before the first reported failure are done: checkpoint them.
                state = self._advance(checkpoint_key, records[failed[0] - 1])
                handled += failed[0]
                records, failed = records[failed[0] :], [i - failed[0] for i in failed]
            state = self._stream_failure(source, checkpoint_key, state, records, failed, outcome, now)
        return handled

    def _advance(self, checkpoint_key: str, record: dict) -> StreamCheckpoint:
        return checkpoint_set(checkpoint_key, record["dynamodb"]["SequenceNumber"])

    def _stream_failure(
        self,
        source: StreamSource,
        checkpoint_key: str,
        state: StreamCheckpoint,
        records: list[dict],
        failed: list[int] | None,
        outcome: Invocation,
        now: float,
    ) -> StreamCheckpoint:
        """Record a failed stream invocation: bisect, schedule the retry, or dead-letter and move on."""
        policy = source.failures
        if outcome.error is not None and policy.bisect_batch_on_error and len(records) > 1:
            # Splitting answers the error instead of a retry: the first half goes next, with a full budget.
            return self._save_retry(
                state, attempts=0, batch_limit=(len(records) + 1) // 2, retry_at=0, error=outcome.error_text
            )
        attempts = int(state.attempts or 0) + 1
        if attempts > policy.maximum_retry_attempts:
            given_up = records if failed is None or outcome.error is not None else [records[i] for i in failed]
            dead_letter_put(
                function=source.function,
                source=checkpoint_key,
                event={"Records": given_up},
                error=outcome.error_text,
                attempts=attempts,
                unit=f"{records[0]['dynamodb']['SequenceNumber']}-{records[-1]['dynamodb']['SequenceNumber']}",
            )
            return self._advance(checkpoint_key, records[-1])
        # The retry takes the same records: the failed one first, the rest of its batch after it.
        return self._save_retry(
            state,
            attempts=attempts,
            batch_limit=len(records),
            retry_at=self._retry_at(attempts, now),
            error=outcome.error_text,
        )

    def _save_retry(
        self, state: StreamCheckpoint, *, attempts: int, batch_limit: int | None, retry_at: float, error: str
    ) -> StreamCheckpoint:
        state.attempts = attempts
        state.batch_limit = batch_limit
        state.retry_at = retry_at
        state.last_error = error
        state.updated_at = int(self.clock())
        state.save()
        return state

    # --- S3 notifications -----------------------------------------------------------
    def poll_uploads(self, uploads: list[UploadSource]) -> int:
        log_path = Path(settings.LOCAL_S3_EVENT_LOG)
        if not uploads or not log_path.exists():
            return 0
        return sum(self._poll_upload_log(upload, log_path) for upload in uploads)

    def _poll_upload_log(self, upload: UploadSource, log_path: Path) -> int:
        # One position per function, as S3 invokes each subscribed function on its own.
        checkpoint_key = f"s3-event-log|{upload.function}|{log_path}"
        state = checkpoint_load(checkpoint_key)
        if not state.position:
            # Before positions were per function, all of them shared this one.
            state.position = checkpoint_get(f"s3-event-log|{log_path}") or "0"
        now = self.clock()
        if state.retry_at and state.retry_at > now:
            return 0
        offset = int(state.position)
        handled = 0
        with log_path.open("rb") as log:
            log.seek(offset)
            for _ in range(LOG_LINES_PER_ROUND):
                line = log.readline()
                if not line.endswith(b"\n"):
                    break  # the end, or a line still being written
                records = self._s3_records(line, upload)
                if not records:
                    offset += len(line)  # other functions' events: checkpointed with the next delivery
                    continue
                state.position = str(offset)  # a retry starts at this event
                event = {"Records": records}
                unit = f"offset {offset}"
                if too_old(upload.failures, min(event_time(r, now) for r in records), now):
                    dead_letter_put(
                        function=upload.function,
                        source=checkpoint_key,
                        event=event,
                        error=f"Event older than {upload.failures.maximum_record_age_seconds} s; not delivered.",
                        attempts=0,
                        unit=unit,
                    )
                elif not self._deliver_async(upload.function, upload.failures, checkpoint_key, state, event, unit):
                    return handled
                handled += 1
                offset += len(line)
                state = checkpoint_set(checkpoint_key, str(offset))
        if str(offset) != state.position:
            checkpoint_set(checkpoint_key, str(offset))
        return handled

    def _deliver_async(
        self, function: str, policy: FailurePolicy, checkpoint_key: str, state: StreamCheckpoint, event: dict, unit: str
    ) -> bool:
        """Invoke an S3 or schedule handler; False while the event waits for a retry, True once done with it."""
        outcome = invoke(function, event)
        if outcome.error is None:
            return True
        attempts = int(state.attempts or 0) + 1
        if attempts > policy.maximum_retry_attempts:
            dead_letter_put(
                function=function,
                source=checkpoint_key,
                event=event,
                error=outcome.error_text,
                attempts=attempts,
                unit=unit,
            )
            return True
        self._save_retry(
            state,
            attempts=attempts,
            batch_limit=None,
            retry_at=self._retry_at(attempts, self.clock()),
            error=outcome.error_text,
        )
        return False

    def _s3_records(self, line: bytes, upload: UploadSource) -> list[dict]:
        """The ObjectCreated records of one log line under `upload`'s prefix, as S3 notifications carry them."""
        records = []
        for record in json.loads(line)["Records"]:
            if record["s3"]["bucket"]["name"] != settings.AWS_STORAGE_BUCKET_NAME:
                continue
            if not record["eventName"].startswith("ObjectCreated:"):
                continue
            key = record["s3"]["object"]["key"]
            if not key.startswith(upload.prefix):
                continue
            # S3 URL-encodes object keys in notifications; s3rver does not.
            record = json.loads(json.dumps(record))
            record["s3"]["object"]["key"] = quote_plus(key, safe="/")
            record["awsRegion"] = settings.AWS_REGION
            record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{settings.AWS_STORAGE_BUCKET_NAME}"
            records.append(record)
        return records

    # --- Schedules ------------------------------------------------------------------
    def run_schedules(self, schedules: list[ScheduleSource], *, now: float | None = None, force: bool = False) -> int:
        """Fire the schedules that are due (all with `force`), and the retries of failed ones whose time has come.

        A tick that falls due while an earlier one waits for its retry is folded into that retry:
        a scheduled event carries nothing but its time, so the retry does the same work.
        """
        now = self.clock() if now is None else now
        ran = 0
        for schedule in schedules:
            checkpoint_key = f"schedule|{schedule.function}"
            state = checkpoint_load(checkpoint_key)
            if state.pending_event:
                if state.retry_at <= now:
                    event = json.loads(state.pending_event)
                    if self._deliver_async(
                        schedule.function, schedule.failures, checkpoint_key, state, event, unit=event["id"]
                    ):
                        checkpoint_set(checkpoint_key, event["time"])
                    ran += 1
                continue
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
            state.pending_event = json.dumps(event)  # saved only if the event is to be retried
            self._deliver_async(schedule.function, schedule.failures, checkpoint_key, state, event, event["id"])
            ran += 1
        return ran

    # --- Driving ----------------------------------------------------------------------
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
