"""Reminder endpoints of a task: list, add (at a moment or minutes before the due time), remove.

On a shared list the reminders are its owner's (they are mailed to the owner): members may list them only.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from mysite.apis import results_output
from todos.apis._common import StrictSerializer, TodosApi, private_response, results_response, validated
from todos.apis.serializers import LocalDateTimeField
from todos.services import reminders as services
from todos.services.shared_access import on_task

MAX_OFFSET = services.MAX_OFFSET_MINUTES


class ReminderOutput(serializers.Serializer):
    class Meta:
        ref_name = "TodosReminder"

    id = serializers.CharField(source="reminder_id")
    task_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=["absolute", "relative"])
    at = serializers.DateTimeField(allow_null=True)
    offset_minutes = serializers.IntegerField(allow_null=True)
    fire_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class ReminderListApi(TodosApi):
    OutputSerializer = results_output("TodosReminderListOutput", ReminderOutput)

    @extend_schema(operation_id="todos_reminders_list", responses={200: OutputSerializer})
    def get(self, request, task_id: str):
        reminders = on_task(
            user=request.user,
            task_id=task_id,
            edit=False,
            run=lambda owner: services.reminders_task_get(owner=owner, task_id=task_id),
        )
        return results_response(request, reminders, ReminderOutput)


class ReminderCreateApi(TodosApi):
    class InputSerializer(StrictSerializer):
        class Meta:
            ref_name = "TodosReminderCreateInput"

        at = LocalDateTimeField(
            required=False,
            allow_null=True,
            help_text="When to remind (ISO 8601; a time without offset is read in the task's time zone).",
        )
        offset_minutes = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=0,
            max_value=MAX_OFFSET,
            help_text="Or: minutes before the task's due time (which it then needs).",
        )

    @extend_schema(
        operation_id="todos_reminders_create",
        request=InputSerializer,
        responses={201: ReminderOutput},
        description=(
            f"Give `at` or `offset_minutes`. At most {services.MAX_REMINDERS} per task; a time in the past, "
            "or minutes before the due time of a task without a due time, is a 422."
        ),
    )
    def post(self, request, task_id: str):
        data = validated(ReminderCreateApi.InputSerializer, request.data)
        reminder = on_task(
            user=request.user,
            task_id=task_id,
            owner_only=True,
            run=lambda owner: services.reminder_create(
                owner=owner, task_id=task_id, at=data.get("at"), offset_minutes=data.get("offset_minutes")
            ),
        )
        location = reverse("todos-api:reminder", args=[task_id, reminder.reminder_id])
        return private_response(
            request, ReminderOutput(reminder).data, status=status.HTTP_201_CREATED, location=location
        )


class RemindersApi(ReminderListApi, ReminderCreateApi):
    """GET: a task's reminders; POST: add one."""


class ReminderApi(TodosApi):
    """DELETE one reminder."""

    @extend_schema(operation_id="todos_reminders_destroy", responses={204: None})
    def delete(self, request, task_id: str, reminder_id: str):
        on_task(
            user=request.user,
            task_id=task_id,
            owner_only=True,
            run=lambda owner: services.reminder_delete(owner=owner, task_id=task_id, reminder_id=reminder_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
