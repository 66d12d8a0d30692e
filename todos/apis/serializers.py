"""Serializers shared by the todos API views: output shapes and a few input fields."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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


class ListOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    colour = serializers.CharField()
    position = serializers.FloatField()
    archived = serializers.BooleanField()
    member_count = serializers.IntegerField(help_text="People the list is shared with, besides its owner.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class TaskOutput(serializers.Serializer):
    id = serializers.CharField()
    list_id = serializers.CharField()
    parent_id = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    notes = serializers.CharField()
    done = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    due_datetime = serializers.CharField(allow_null=True)
    due_timezone = serializers.CharField(allow_null=True)
    priority = serializers.IntegerField()
    labels = serializers.ListField(child=serializers.CharField())
    position = serializers.FloatField()
    recurrence = serializers.CharField(allow_null=True)
    completions = serializers.ListField(child=serializers.DateTimeField())
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class AttachmentOutput(serializers.Serializer):
    id = serializers.CharField()
    task_id = serializers.CharField()
    file_name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    key = serializers.CharField()
    state = serializers.ChoiceField(
        choices=["pending", "ready", "expired"],
        help_text="`expired`: the upload never arrived within its window; start a new one.",
    )
    is_image = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you last read (or If-Match)."
    )
