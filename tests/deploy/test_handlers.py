"""The S3 upload router hands each record to the handler declared for its prefix."""

from __future__ import annotations

from mysite.deploy import handlers
from mysite.event_sources import ScheduleSource, UploadSource

received: list[tuple[str, str]] = []


def images_handler(event: dict, context: object) -> str:
    received.append(("images", event["Records"][0]["s3"]["object"]["key"]))
    return "ready"


def files_handler(event: dict, context: object) -> str:
    received.append(("files", event["Records"][0]["s3"]["object"]["key"]))
    return "stored"


def record(key: str) -> dict:
    return {"eventName": "ObjectCreated:Post", "s3": {"bucket": {"name": "b"}, "object": {"key": key}}}


def test_records_go_to_the_handler_of_their_prefix_only(monkeypatch):
    sources = [
        UploadSource(function=f"{__name__}.images_handler", prefix="uploads/images/"),
        UploadSource(function=f"{__name__}.files_handler", prefix="users/"),
        ScheduleSource(function=f"{__name__}.files_handler", rate="rate(1 hour)"),
    ]
    monkeypatch.setattr(handlers, "all_event_sources", lambda: sources)
    received.clear()
    event = {"Records": [record("uploads/images/a+b.png"), record("users/u1/notes.txt"), record("static/x.css")]}
    result = handlers.upload_router(event, None)
    assert received == [("images", "uploads/images/a+b.png"), ("files", "users/u1/notes.txt")]
    assert result == {
        "routed": [
            {"function": f"{__name__}.images_handler", "key": "uploads/images/a b.png", "result": "ready"},
            {"function": f"{__name__}.files_handler", "key": "users/u1/notes.txt", "result": "stored"},
        ]
    }
