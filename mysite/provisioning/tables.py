"""DynamoDB tables of every model: created, their streams, indexes and TTL brought in line."""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from mysite import aws
from mysite.provisioning.base import Change, Step, error_code

# A new index is backfilled from the table's items: minutes on a large table. The wait is bounded; a
# later run of `provision` goes on from where this one stopped.
INDEX_WAIT_SECONDS = 60 * 60
INDEX_POLL_SECONDS = 5  # at most: the first polls come sooner (DynamoDB Local is done at once)


class TableStep(Step):
    def __init__(self, model):
        self.model = model
        self.name = f"table {model.Meta.table_name}"

    def plan(self) -> list[Change]:
        meta = self.model.Meta
        client = aws.client("dynamodb")
        try:
            table = client.describe_table(TableName=meta.table_name)["Table"]
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise
            parts = ["on-demand"]
            if getattr(meta, "stream_view_type", None):
                parts.append(f"stream {meta.stream_view_type}")
            indexes = [i.Meta.index_name for i in self.model._indexes.values()]
            if indexes:
                parts.append(f"indexes {', '.join(indexes)}")
            if self.model._ttl_attribute():
                parts.append(f"TTL on {self.model._ttl_attribute().attr_name}")
            return [Change(f"create table ({'; '.join(parts)})", self._create)]
        changes = []
        wanted_stream = getattr(meta, "stream_view_type", None)
        stream = table.get("StreamSpecification") or {}
        if wanted_stream and not (stream.get("StreamEnabled") and stream.get("StreamViewType") == wanted_stream):
            changes.append(
                Change(
                    f"enable stream {wanted_stream}",
                    lambda: client.update_table(
                        TableName=meta.table_name,
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": wanted_stream},
                    ),
                )
            )
        existing_indexes = {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}
        missing = [i for i in self.model._indexes.values() if i.Meta.index_name not in existing_indexes]
        for index in missing:
            changes.append(Change(f"add index {index.Meta.index_name}", lambda index=index: self._add_index(index)))
        ttl = self.model._ttl_attribute()
        if ttl:
            status = client.describe_time_to_live(TableName=meta.table_name)["TimeToLiveDescription"]
            if status.get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
                changes.append(Change(f"enable TTL on {ttl.attr_name}", lambda: self.model.update_ttl(False)))
        return changes

    def _create(self) -> None:
        self.model.create_table(wait=True)

    def _add_index(self, index) -> None:
        schema = self.model._get_schema()
        definition = next(i for i in schema["global_secondary_indexes"] if i["index_name"] == index.Meta.index_name)
        aws.client("dynamodb").update_table(
            TableName=self.model.Meta.table_name,
            AttributeDefinitions=definition["attribute_definitions"],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": definition["index_name"],
                        "KeySchema": sorted(definition["key_schema"], key=lambda k: k["KeyType"] != "HASH"),
                        "Projection": definition["projection"],  # INCLUDE names its NonKeyAttributes
                    }
                }
            ],
        )
        self._wait_for_index(index.Meta.index_name)

    def _wait_for_index(self, name: str) -> None:
        """Until the new index is ACTIVE (backfilled): DynamoDB builds one new index of a table at a time."""
        client = aws.client("dynamodb")
        deadline = time.monotonic() + INDEX_WAIT_SECONDS
        pause = 0.1
        while True:
            table = client.describe_table(TableName=self.model.Meta.table_name)["Table"]
            status = next(
                (i.get("IndexStatus") for i in table.get("GlobalSecondaryIndexes", []) if i["IndexName"] == name), None
            )
            if status == "ACTIVE" and table.get("TableStatus") == "ACTIVE":
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"index {name} of {self.model.Meta.table_name} is still {status}; run provision again later"
                )
            time.sleep(pause)
            pause = min(pause * 2, INDEX_POLL_SECONDS)
