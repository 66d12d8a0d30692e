"""Lambda handler of blog search: the posts table's Stream keeps the index."""

from __future__ import annotations

from blog.search.services import search_index_update
from mysite.event_sources import StreamSource

EVENT_SOURCES = [
    StreamSource(function="blog.search.events.post_stream_handler", model="blog.models.Post"),
]


def post_stream_handler(event: dict, context: object) -> dict:
    """DynamoDB Streams (posts table): re-index each changed post; report the first record that failed."""
    records = event["Records"]
    changed, failed_at = search_index_update(post_ids=[r["dynamodb"]["Keys"]["post_id"]["S"] for r in records])
    failures = [] if failed_at is None else [{"itemIdentifier": records[failed_at]["dynamodb"]["SequenceNumber"]}]
    return {"batchItemFailures": failures, "posts_reindexed": changed}
