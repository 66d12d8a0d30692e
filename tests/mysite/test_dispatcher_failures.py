"""The dispatcher applies each source's failure policy as Lambda does: partial batch responses,
bisecting, bounded retries, record age, and dead letters that `redrive_failed` replays."""

from __future__ import annotations

import json
import logging
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import Profile
from mysite import storage
from mysite.dispatcher import Dispatcher
from mysite.event_sources import FailurePolicy, ScheduleSource, StreamSource, UploadSource
from mysite.invocations import dead_letter_list
from mysite.models import DeadLetter
from tests.conftest import unique_email
from tests.mysite.test_dispatcher import FakeClock, checkpoint_of

logger = logging.getLogger(__name__)

deliveries: list[list[str]] = []  # the subs (or keys) of each invocation, in order
poisoned: set[str] = set()  # subs or keys the handlers below fail on


def _subs(event: dict) -> list[str]:
    return [record["dynamodb"]["Keys"]["sub"]["S"] for record in event["Records"]]


def reporting_handler(event: dict, context) -> dict:
    """A stream handler of the test's own that reports its poisoned records as failed."""
    deliveries.append(_subs(event))
    failures = []
    for record in event["Records"]:
        sub = record["dynamodb"]["Keys"]["sub"]["S"]
        if sub in poisoned:
            logger.error("cannot handle %s", sub)
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}


def raising_handler(event: dict, context) -> None:
    """A stream handler that raises for any batch holding a poisoned record."""
    deliveries.append(_subs(event))
    if poisoned & set(_subs(event)):
        raise ValueError("poison in batch")


def upload_handler(event: dict, context) -> None:
    keys = [record["s3"]["object"]["key"] for record in event["Records"]]
    deliveries.append(keys)
    if poisoned & set(keys):
        raise OSError("cannot read upload")


def schedule_handler(event: dict, context) -> None:
    deliveries.append([event["id"]])
    if "schedule" in poisoned:
        raise RuntimeError("publishing failed")


@pytest.fixture(autouse=True)
def _clean():
    deliveries.clear()
    poisoned.clear()
    yield
    poisoned.clear()
    for letter in dead_letter_list():
        if letter.function.startswith(__name__):
            letter.delete()


def stream_source(handler: str, **policy) -> StreamSource:
    return StreamSource(
        function=f"{__name__}.{handler}", model="accounts.models.Profile", failures=FailurePolicy(**policy)
    )


def caught_up(source, clock: FakeClock) -> Dispatcher:
    """A dispatcher of `source` that has handled everything written before (other tests' profiles)."""
    dispatcher = Dispatcher([source], clock=clock)
    for _ in range(50):
        if not dispatcher.run_once(include_schedules=False):
            break
    deliveries.clear()
    return dispatcher


def new_profiles(count: int) -> list[str]:
    """Profiles written straight to the table (no Cognito user needed): one INSERT record each."""
    subs = []
    for _ in range(count):
        sub = str(uuid.uuid4())
        Profile(sub, email=unique_email("stream"), display_name="Stream Test").save()
        subs.append(sub)
    return subs


def letters_of(function: str) -> list[DeadLetter]:
    return [letter for letter in dead_letter_list() if letter.function == f"{__name__}.{function}"]


def rounds(dispatcher: Dispatcher, clock: FakeClock, count: int) -> None:
    """`count` dispatcher rounds, letting enough time pass between them for any retry to fall due."""
    for _ in range(count):
        dispatcher.run_once(include_schedules=False)
        clock.advance(60)


def test_a_reported_failure_checkpoints_before_it_and_is_given_up_after_the_retries():
    source = stream_source("reporting_handler", maximum_retry_attempts=2)
    clock = FakeClock()
    dispatcher = caught_up(source, clock)
    first, poison, last = new_profiles(3)
    poisoned.add(poison)

    dispatcher.run_once(include_schedules=False)
    assert deliveries == [[first, poison, last]]
    state = checkpoint_of(source)
    assert state.attempts == 1
    assert state.position == stream_position_of(first)  # `first` is done; the retry starts at the poison

    rounds(dispatcher, clock, 3)
    # The first try and two retries of the rest of the batch, then the shard moves on.
    assert deliveries == [[first, poison, last], [poison, last], [poison, last]]
    (letter,) = letters_of("reporting_handler")
    assert [r["dynamodb"]["Keys"]["sub"]["S"] for r in json.loads(letter.event)["Records"]] == [poison]
    assert letter.attempts == 3
    assert letter.error == f"cannot handle {poison}"

    (later,) = new_profiles(1)
    deliveries.clear()
    dispatcher.run_once(include_schedules=False)
    assert deliveries == [[later]]


def stream_position_of(sub: str) -> str:
    from tests.mysite.test_dispatcher import stream_records_for

    (insert,) = [r for r in stream_records_for(sub) if r["eventName"] == "INSERT"]
    return insert["dynamodb"]["SequenceNumber"]


def test_a_raising_handler_is_bisected_to_the_poison_record_and_splitting_is_not_a_retry():
    source = stream_source("raising_handler", maximum_retry_attempts=2, bisect_batch_on_error=True)
    clock = FakeClock()
    dispatcher = caught_up(source, clock)
    a, b, poison, c = new_profiles(4)
    poisoned.add(poison)

    rounds(dispatcher, clock, 5)

    assert deliveries == [
        [a, b, poison, c],  # raises: split in two
        [a, b],  # the first half succeeds
        [poison, c],  # raises: split again
        [poison],  # alone: the first try and two retries
        [poison],
        [poison],
        [c],
    ]
    (letter,) = letters_of("raising_handler")
    assert letter.attempts == 3
    assert letter.error == "ValueError: poison in batch"
    assert [r["dynamodb"]["Keys"]["sub"]["S"] for r in json.loads(letter.event)["Records"]] == [poison]


def test_without_bisecting_the_whole_failing_batch_is_given_up_together():
    source = stream_source("raising_handler", maximum_retry_attempts=1, bisect_batch_on_error=False)
    clock = FakeClock()
    dispatcher = caught_up(source, clock)
    a, poison = new_profiles(2)
    poisoned.add(poison)

    rounds(dispatcher, clock, 3)

    assert deliveries == [[a, poison], [a, poison]]
    (letter,) = letters_of("raising_handler")
    assert [r["dynamodb"]["Keys"]["sub"]["S"] for r in json.loads(letter.event)["Records"]] == [a, poison]
    assert letter.attempts == 2


def test_records_older_than_the_maximum_age_are_not_delivered_but_dead_lettered():
    source = stream_source("reporting_handler", maximum_record_age_seconds=600)
    clock = FakeClock()
    dispatcher = caught_up(source, clock)
    (stale,) = new_profiles(1)

    clock.advance(1200)
    dispatcher.run_once(include_schedules=False)

    assert deliveries == []
    (letter,) = letters_of("reporting_handler")
    assert letter.error == "Record older than 600 s; not delivered."
    assert [r["dynamodb"]["Keys"]["sub"]["S"] for r in json.loads(letter.event)["Records"]] == [stale]
    assert checkpoint_of(source).position == stream_position_of(stale)


def wait_for_upload_event(key: str) -> None:
    """s3rver appends its notification a moment after the PUT; wait for it (bounded)."""
    log = Path(settings.LOCAL_S3_EVENT_LOG)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if log.exists() and key.encode() in log.read_bytes():
            return
        time.sleep(0.05)
    raise AssertionError(f"no S3 event for {key}")


def test_a_failing_upload_event_is_retried_then_dead_lettered_and_later_uploads_go_on():
    prefix = f"users/dlq-{uuid.uuid4().hex[:8]}/"
    source = UploadSource(function=f"{__name__}.upload_handler", prefix=prefix)
    bad, good = f"{prefix}bad.txt", f"{prefix}good.txt"
    poisoned.add(bad)
    clock = FakeClock()
    dispatcher = Dispatcher([source], clock=clock)
    storage.object_write(bad, b"x", content_type="text/plain")
    storage.object_write(good, b"y", content_type="text/plain")
    wait_for_upload_event(good)

    # The log holds every earlier test's uploads too, read a bounded number of lines per round.
    for _ in range(200):
        dispatcher.run_once()
        if deliveries:
            break
    assert deliveries == [[bad]]  # the later event waits behind the one being retried
    rounds(dispatcher, clock, 3)

    assert deliveries == [[bad], [bad], [bad], [good]]  # the first try and ASYNC_FAILURES' two retries
    (letter,) = letters_of("upload_handler")
    assert letter.error == "OSError: cannot read upload"
    assert letter.attempts == 3
    assert json.loads(letter.event)["Records"][0]["s3"]["object"]["key"] == bad


def test_a_failing_schedule_is_retried_dead_lettered_listed_and_redriven_after_a_fix():
    source = ScheduleSource(function=f"{__name__}.schedule_handler", rate="rate(1 hour)")
    poisoned.add("schedule")
    clock = FakeClock()
    dispatcher = Dispatcher([source], clock=clock)
    dispatcher.run_schedules([source], force=True)
    for _ in range(3):
        clock.advance(60)
        dispatcher.run_schedules([source])
    assert len(deliveries) == 3
    assert len({tuple(d) for d in deliveries}) == 1  # the same event, retried twice
    (letter,) = letters_of("schedule_handler")
    assert letter.error == "RuntimeError: publishing failed"

    listing = StringIO()
    call_command("redrive_failed", stdout=listing)
    row = next(line for line in listing.getvalue().splitlines() if line.startswith(letter.id))
    assert f"{__name__}.schedule_handler" in row
    assert "RuntimeError: publishing failed" in row

    shown = StringIO()
    call_command("redrive_failed", "--show", letter.id, stdout=shown)
    assert json.loads(letter.event)["id"] in shown.getvalue()

    with pytest.raises(CommandError, match="1 of 1 dead letter"):
        call_command("redrive_failed", letter.id, stdout=StringIO())  # still broken: kept
    assert DeadLetter.get(letter.id).redrive_attempts == 1

    poisoned.clear()  # the fix
    deliveries.clear()
    out = StringIO()
    call_command("redrive_failed", letter.id, stdout=out)
    assert deliveries == [[json.loads(letter.event)["id"]]]
    assert letters_of("schedule_handler") == []
    assert "replayed" in out.getvalue()


def test_redriving_an_unknown_dead_letter_says_so():
    with pytest.raises(CommandError, match="No dead letter 'nope'"):
        call_command("redrive_failed", "nope", stdout=StringIO())
