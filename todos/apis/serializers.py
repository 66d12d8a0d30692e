"""The todos API's output serializers (each is the body and the schema of its item) and shared input fields.

Output serializers read the models through `source=`; a value DynamoDB does not store as the body
shows it (an absent count, an empty list, a local time) is a `derived()` field of the type the
schema states. Date-times are written in UTC with a "Z" (DRF's ISO 8601, TIME_ZONE is UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from todos.services.task_fields import task_due_datetime_local


class _IsoTextField(serializers.Field):
    """A value read from ISO 8601 text by `parse` (None or ValueError: invalid), written back with `isoformat()`."""

    def parse(self, text: str) -> date | datetime | None:
        raise NotImplementedError

    def to_internal_value(self, data) -> date | datetime:
        try:
            value = self.parse(str(data))
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return value.isoformat() if value else None


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeField(_IsoTextField):
    """An ISO date-time kept as given: naive times are read in the task's `due_timezone`."""

    default_error_messages = {"invalid": "Use an ISO 8601 date-time such as 2025-03-01T09:30 (an offset is optional)."}

    def parse(self, text: str) -> datetime | None:
        return parse_datetime(text)


@extend_schema_field({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]})
class DateOrDateTimeField(_IsoTextField):
    """A date (2025-03-01) or a date-time (2025-03-01T09:00Z), for due-date filters."""

    default_error_messages = {"invalid": "Use a date (2025-03-01) or an ISO 8601 date-time."}

    def parse(self, text: str) -> date | datetime | None:
        return parse_datetime(text) if "T" in text else parse_date(text)


def position_field(**kwargs) -> serializers.FloatField:
    """A position as the schema states it: at most 1E+125 in magnitude (services.clean_position checks the rest)."""
    return serializers.FloatField(min_value=-1e125, max_value=1e125, **kwargs)


def derived(field_class: type[serializers.Field], value: Callable, **kwargs) -> serializers.Field:
    """A read-only field of `field_class`'s type (so of its schema) whose value is `value(instance)`."""
    field = type(f"Derived{field_class.__name__}", (field_class,), {"get_attribute": lambda self, item: value(item)})
    return field(**kwargs)


def _due_date(task) -> str | None:
    local = task_due_datetime_local(task)
    return task.due_date or (local.date().isoformat() if local else None)


def _due_datetime(task) -> str | None:
    local = task_due_datetime_local(task)
    return local.isoformat() if local else None


class ListOutput(serializers.Serializer):
    id = serializers.CharField(source="list_id")
    name = serializers.CharField()
    colour = serializers.CharField()
    position = serializers.FloatField()
    archived = serializers.BooleanField()
    member_count = derived(
        serializers.IntegerField,
        lambda todo_list: int(todo_list.member_count or 0),
        help_text="People the list is shared with, besides its owner.",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class TaskOutput(serializers.Serializer):
    id = serializers.CharField(source="task_id")
    list_id = serializers.CharField()
    parent_id = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    notes = serializers.CharField()
    done = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    due_date = derived(serializers.DateField, _due_date, allow_null=True)
    due_datetime = derived(serializers.CharField, _due_datetime, allow_null=True)
    due_timezone = serializers.CharField(allow_null=True)
    priority = serializers.IntegerField()
    labels = derived(serializers.ListField, lambda task: list(task.labels or []), child=serializers.CharField())
    position = serializers.FloatField()
    recurrence = serializers.CharField(allow_null=True)
    completions = derived(
        serializers.ListField, lambda task: list(task.completions or []), child=serializers.DateTimeField()
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class AttachmentOutput(serializers.Serializer):
    id = serializers.CharField(source="attachment_id")
    task_id = serializers.CharField()
    file_name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    key = serializers.CharField(source="s3_key")
    state = serializers.ChoiceField(
        source="current_state",
        choices=["pending", "ready", "expired"],
        help_text="`expired`: the upload never arrived within its window; start a new one.",
    )
    is_image = derived(serializers.BooleanField, lambda attachment: attachment.content_type.startswith("image/"))
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()


# How a 409 shows the item it carries, by the model's class name (APIs do not import models).
CURRENT_OUTPUTS: dict[str, type[serializers.Serializer]] = {
    "TodoList": ListOutput,
    "Task": TaskOutput,
    "Attachment": AttachmentOutput,
}
