"""The local event dispatcher: Stream records reach handlers once, across restarts."""

from __future__ import annotations

import time

from accounts.events import profile_stream_handler
from accounts.models import Profile
from mysite import aws
from mysite.dispatcher import RETRY_DELAY_SECONDS, Dispatcher, checkpoint_load, lambda_record
from mysite.event_sources import StreamSource
from mysite.models import StreamCheckpoint
from tests.conftest import welcome_emails

RECORDED: list[dict] = []


def recording_handler(event: dict, context) -> None:
    """A handler of the test's own, to see exactly which records were delivered."""
    RECORDED.extend(event["Records"])


CRASH_NEXT_CALL = {"armed": False}


def crashing_handler(event: dict, context) -> None:
    """Records like `recording_handler`, but crashes once (after doing nothing) when armed."""
    if CRASH_NEXT_CALL["armed"]:
        CRASH_NEXT_CALL["armed"] = False
        raise RuntimeError("crash mid-batch")
    RECORDED.extend(event["Records"])


class FakeClock:
    """The dispatcher's idea of now: real time plus whatever the test has let pass."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def checkpoint_of(source: StreamSource) -> StreamCheckpoint:
    """The one checkpoint (DynamoDB Local's stream has one shard here) of `source`."""
    table = source.table_model().Meta.table_name
    stream_arn = aws.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shards = aws.client("dynamodbstreams").describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    open_shard = next(s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"])
    return checkpoint_load(f"{source.function}|{stream_arn}|{open_shard['ShardId']}")


def stream_records_for(sub: str) -> list[dict]:
    """The Stream records of one profile, read straight from DynamoDB Local's stream."""
    table = Profile.Meta.table_name
    stream_arn = aws.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = aws.client("dynamodbstreams")
    records = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = streams.get_records(ShardIterator=iterator, Limit=1000)
            records += [lambda_record(r, stream_arn) for r in response["Records"]]
            if not response["Records"]:
                break
            iterator = response.get("NextShardIterator")
    return [r for r in records if r["dynamodb"]["Keys"]["sub"]["S"] == sub]


def test_new_profile_gets_exactly_one_welcome_email_through_the_stream(user, dispatcher):
    assert len(welcome_emails(user.email)) == 0
    dispatcher.run_once()
    assert len(welcome_emails(user.email)) == 1
    dispatcher.run_once()
    assert len(welcome_emails(user.email)) == 1


def test_redelivered_stream_record_sends_nothing_twice(user):
    inserts = [r for r in stream_records_for(user.sub) if r["eventName"] == "INSERT"]
    assert len(inserts) == 1
    event = {"Records": inserts}
    assert profile_stream_handler(event, None) == {"batchItemFailures": [], "welcome_emails_sent": 1}
    assert profile_stream_handler(event, None) == {"batchItemFailures": [], "welcome_emails_sent": 0}
    assert len(welcome_emails(user.email)) == 1


def test_stream_records_have_the_lambda_event_shape(user):
    record = stream_records_for(user.sub)[0]
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventName"] == "INSERT"
    assert record["eventSourceARN"].startswith("arn:aws:dynamodb:")
    assert record["dynamodb"]["Keys"] == {"sub": {"S": user.sub}}
    assert record["dynamodb"]["NewImage"]["email"] == {"S": user.email}
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], float)


def catch_up(dispatcher: Dispatcher) -> None:
    """Rounds until the stream is read to its end: a round reads a bounded number of batches, and
    the stream holds every profile earlier tests in this process created."""
    for _ in range(100):
        if dispatcher.run_once(include_schedules=False) == 0:
            return
    raise AssertionError("the stream was not read to its end in 100 rounds")


def test_restarted_dispatcher_neither_repeats_nor_skips(make_user):
    source = StreamSource(function=f"{__name__}.recording_handler", model="accounts.models.Profile")
    first = make_user()
    RECORDED.clear()
    catch_up(Dispatcher([source]))
    delivered_first = [r["dynamodb"]["Keys"]["sub"]["S"] for r in RECORDED]
    assert first.sub in delivered_first

    second = make_user()  # written while "the dispatcher is down"
    RECORDED.clear()
    catch_up(Dispatcher([source]))  # a new process: only the checkpoint carries over
    delivered_second = [r["dynamodb"]["Keys"]["sub"]["S"] for r in RECORDED]
    assert second.sub in delivered_second
    assert first.sub not in delivered_second


def test_a_crash_is_retried_from_the_same_position_after_the_delay_even_by_a_restarted_dispatcher(make_user):
    source = StreamSource(function=f"{__name__}.crashing_handler", model="accounts.models.Profile")
    clock = FakeClock()
    catch_up(Dispatcher([source], clock=clock))  # to the current end of the stream
    RECORDED.clear()
    newcomer = make_user()
    CRASH_NEXT_CALL["armed"] = True
    dispatcher = Dispatcher([source], clock=clock)
    dispatcher.run_once()  # crashes: nothing checkpointed, a retry is due one delay later
    dispatcher.run_once()  # not yet due
    assert RECORDED == []
    assert checkpoint_of(source).attempts == 1

    clock.advance(RETRY_DELAY_SECONDS + 0.1)
    Dispatcher([source], clock=clock).run_once()  # a new process: the retry state is in DynamoDB
    assert [r["dynamodb"]["Keys"]["sub"]["S"] for r in RECORDED].count(newcomer.sub) == 1
    assert checkpoint_of(source).attempts == 0
