"""DynamoDB Local's CPU per request with the stack's JVM options against the JVM's defaults.

    .venv/bin/python -m benchmarks.dynamodb_jvm [--requests 4000] [--rounds 2]

Each round starts one in-memory DynamoDB Local per option set, in turn, and sends it the same
requests: PutItem, GetItem, a Query and a two-item TransactWriteItems, the mix the test suite
and `make run` send most. It reports the JVM's own CPU seconds (user + system, from /proc) and the
wall time of each, and their ratios. CPU seconds hardly move with the machine's other load; wall
time does, which is why the rounds alternate. Not part of `make bench`: it measures the developer
stack, not what ships.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import boto3

from devstack.stack import DYNAMODB_JVM_OPTIONS, dynamodb_emulator
from mysite.localports import reserve_port

TABLE = "jvm-bench"


def _jvm_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def measure(options: tuple[str, ...], requests: int) -> tuple[float, float]:
    """(JVM CPU seconds, wall seconds) of `requests` rounds of the mix against a fresh DynamoDB Local."""
    log_path = Path(tempfile.mkdtemp(prefix="dynamodb-jvm-")) / "dynamodb.log"
    emulator = dynamodb_emulator(reserve_port(), storage=["-inMemory"], log_path=log_path, jvm_options=options)
    emulator.start()
    try:
        emulator.wait_until_ready()
        client = boto3.client(
            "dynamodb",
            endpoint_url=f"http://127.0.0.1:{emulator.port}",
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        cpu_before, started = _jvm_cpu_seconds(emulator.process.pid), time.monotonic()
        for i in range(requests // 4):
            key = {"pk": {"S": f"user-{i % 50}"}, "sk": {"S": f"item-{i}"}}
            client.put_item(TableName=TABLE, Item={**key, "n": {"N": "1"}, "text": {"S": "a task title " * 8}})
            client.get_item(TableName=TABLE, Key=key)
            client.query(
                TableName=TABLE,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": key["pk"]},
                Limit=20,
            )
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": TABLE,
                            "Key": key,
                            "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                    {
                        "Put": {
                            "TableName": TABLE,
                            "Item": {"pk": key["pk"], "sk": {"S": f"count-{i}"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        return _jvm_cpu_seconds(emulator.process.pid) - cpu_before, time.monotonic() - started
    finally:
        emulator.stop()
        shutil.rmtree(log_path.parent, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000, help="requests per instance, a quarter of each kind")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    variants = {"JVM defaults": (), "stack options": DYNAMODB_JVM_OPTIONS}
    totals = {name: [0.0, 0.0] for name in variants}
    for round_number in range(1, args.rounds + 1):
        for name, options in variants.items():
            cpu, wall = measure(options, args.requests)
            totals[name][0] += cpu
            totals[name][1] += wall
            print(f"round {round_number}  {name:<14} JVM CPU {cpu:6.1f} s   wall {wall:6.1f} s")
    (default_cpu, default_wall), (stack_cpu, stack_wall) = totals.values()
    per_request = 1000 / (args.requests * args.rounds)
    print(f"JVM CPU per request: defaults {default_cpu * per_request:.2f} ms, options {stack_cpu * per_request:.2f} ms")
    print(f"stack options / defaults: JVM CPU {stack_cpu / default_cpu:.2f}, wall {stack_wall / default_wall:.2f}")
    print(f"options: {' '.join(DYNAMODB_JVM_OPTIONS)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
