"""Quick add: a task from one line of words, and what was understood in it."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status

from mysite.apis import TimeZoneField
from mysite.idempotency import IDEMPOTENCY_KEY, idempotent
from todos.apis._common import StrictSerializer, TodosApi, item_etag, private_response, validated
from todos.apis.serializers import TaskOutput
from todos.quickadd import QuickAdd
from todos.services.quick import task_quick_add


def parsed_as_dict(parsed: QuickAdd) -> dict:
    """What the text was read as; `tokens` give each understood piece's [start, end) span in the text."""
    return {
        "title": parsed.title,
        "due_date": parsed.due_date.isoformat() if parsed.due_date else None,
        "due_time": parsed.due_time.strftime("%H:%M") if parsed.due_time else None,
        "list": parsed.list_name,
        "labels": list(parsed.labels),
        "priority": parsed.priority,
        "recurrence": parsed.recurrence,
        "tokens": [token.as_dict() for token in parsed.tokens],
    }


class QuickTokenOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["due", "time", "list", "label", "priority", "recurrence", "literal"])
    start = serializers.IntegerField(help_text="Offset of the first character, in code points.")
    end = serializers.IntegerField(help_text="Offset after the last character.")
    text = serializers.CharField()
    value = serializers.JSONField(allow_null=True)


class QuickParsedOutput(serializers.Serializer):
    title = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    due_time = serializers.CharField(allow_null=True, help_text="HH:MM in the time zone used.")
    list = serializers.CharField(allow_null=True)
    labels = serializers.ListField(child=serializers.CharField())
    priority = serializers.IntegerField(allow_null=True)
    recurrence = serializers.CharField(allow_null=True)
    tokens = QuickTokenOutput(many=True)


class TaskQuickAddApi(TodosApi):
    class InputSerializer(StrictSerializer):
        class Meta:
            ref_name = "TodosTaskQuickAddInput"

        text = serializers.CharField(max_length=500)
        time_zone = TimeZoneField(
            required=False, help_text="IANA zone for dates and times; default: the profile's, else UTC."
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TodosTaskQuickAddOutput"

        task = TaskOutput()
        parsed = QuickParsedOutput()

    @extend_schema(
        operation_id="todos_tasks_quick_add",
        request=InputSerializer,
        responses={201: OutputSerializer},
        parameters=[IDEMPOTENCY_KEY],
        description=(
            "Creates a task from plain words: a due date and time (today, tomorrow, fri, next fri, in 3 days, "
            "March 3, 5/7, 9am, 17:30), `#List`, `@label`, `p1`-`p4`, and repeats (every day, every weekday, "
            "every 2 weeks, every month on the 1st). Words not understood stay in the title; a word written "
            "`\\word` is kept literally. Text that cannot be read as a whole becomes the title: never an error."
        ),
        examples=[OpenApiExample("Rent", value={"text": "Pay rent tomorrow 9am #Home @bills p1 every month"})],
    )
    @idempotent
    def post(self, request):
        data = validated(TaskQuickAddApi.InputSerializer, request.data)
        task, parsed = task_quick_add(owner=request.user.sub, **data)
        body = self.OutputSerializer({"task": task, "parsed": parsed_as_dict(parsed)}).data
        location = reverse("todos-api:task", args=[task.task_id])
        etag = item_etag(task.version)
        return private_response(request, body, status=status.HTTP_201_CREATED, etag=etag, location=location)
