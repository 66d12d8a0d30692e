"""Task endpoints: query, CRUD, complete/reopen, move, reorder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from mysite.apis import TimeZoneField, page_limit, results_output
from mysite.concurrency import IF_MATCH, PRECONDITION_REQUIRED, VersionInput, version_field
from mysite.constants import MAX_CURSOR_LENGTH
from mysite.idempotency import IDEMPOTENCY_KEY, idempotent
from mysite.parsers import SafeJSONParser
from todos import selectors, services
from todos.apis._common import (
    FORMAT_JSON,
    BrowsableFilter,
    StrictSerializer,
    TodosApi,
    expected_version,
    item_response,
    results_response,
    validated,
)
from todos.apis.serializers import DateOrDateTimeField, LocalDateTimeField, TaskOutput, position_field
from todos.errors import TaskRuleBroken

if TYPE_CHECKING:
    from todos.models import Task


class TaskFields(StrictSerializer):
    title = serializers.CharField(max_length=500)
    list_id = serializers.CharField(max_length=40, required=False, allow_null=True)
    parent_id = serializers.CharField(max_length=40, required=False, allow_null=True)
    notes = serializers.CharField(max_length=20_000, required=False, allow_blank=True, trim_whitespace=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    due_datetime = LocalDateTimeField(required=False, allow_null=True)
    due_timezone = TimeZoneField(required=False, allow_null=True, allow_blank=True)
    priority = serializers.IntegerField(min_value=1, max_value=4, required=False)
    labels = serializers.ListField(child=serializers.CharField(max_length=60), max_length=20, required=False)
    recurrence = serializers.CharField(max_length=500, required=False, allow_null=True, allow_blank=True)
    position = position_field(required=False)


class TaskListApi(TodosApi):
    class FilterSerializer(BrowsableFilter):
        class Meta:
            ref_name = "TodosTaskListFilter"

        list_id = serializers.CharField(required=False, max_length=40)
        done = serializers.BooleanField(required=False, allow_null=True, default=None)
        due_before = DateOrDateTimeField(required=False)
        due_after = DateOrDateTimeField(required=False)
        overdue = serializers.BooleanField(required=False, default=False)
        today = serializers.BooleanField(required=False, default=False)
        tz = TimeZoneField(required=False, default="UTC", help_text="IANA zone that defines `today`.")
        label = serializers.CharField(required=False, max_length=60)
        priority = serializers.IntegerField(required=False, min_value=1, max_value=4)
        q = serializers.CharField(required=False, max_length=200, help_text="Text contained in the title.")
        parent_id = serializers.CharField(required=False, max_length=40)
        top_level = serializers.BooleanField(required=False, default=False)
        sort = serializers.ChoiceField(choices=selectors.SORTS, default="position")
        limit = page_limit(maximum=selectors.MAX_PAGE, default=50)
        cursor = serializers.CharField(required=False, max_length=MAX_CURSOR_LENGTH)

    OutputSerializer = results_output("TodosTaskListOutput", TaskOutput, paged=True)

    @extend_schema(
        operation_id="todos_tasks_list",
        parameters=[FilterSerializer, FORMAT_JSON],
        responses={200: OutputSerializer},
    )
    def get(self, request):
        data = validated(TaskListApi.FilterSerializer, request.query_params.dict())
        limit, cursor, zone = data.pop("limit"), data.pop("cursor", None), data.pop("tz")
        data.pop("format", None)
        if data.pop("today"):
            data["today"] = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
        data["text"] = data.pop("q", None)
        owner = request.user.sub
        if data.get("list_id"):  # a list shared with the caller is read from its owner's partition
            owner = selectors.list_access(actor=owner, list_id=data["list_id"], field="list_id").owner
        elif data.get("parent_id"):  # and so are a shared task's subtasks; anyone else's task is a 404
            owner = services.on_task(user=request.user, task_id=data["parent_id"], edit=False, run=lambda found: found)
        tasks, next_cursor = selectors.task_search(
            owner=owner, query=selectors.TaskQuery(**data), limit=limit, cursor=cursor
        )
        return results_response(request, tasks, TaskOutput, next_cursor=next_cursor)


class TaskCreateApi(TodosApi):
    InputSerializer = TaskFields

    @extend_schema(
        operation_id="todos_tasks_create", request=TaskFields, responses={201: TaskOutput}, parameters=[IDEMPOTENCY_KEY]
    )
    @idempotent
    def post(self, request):
        data = validated(TaskFields, request.data)
        owner, shared = services.new_task_owner(
            user=request.user, list_id=data.get("list_id"), parent_id=data.get("parent_id")
        )
        if data.get("parent_id") and data.get("list_id"):
            services.check_reference(user=request.user, owner=owner, list_id=data["list_id"])
        task = services.task_create(owner=owner, **data)
        services.task_activity_note(user=request.user, access=shared, task=task, action="added")
        location = reverse("todos-api:task", args=[task.task_id])
        return item_response(request, task, TaskOutput, status=status.HTTP_201_CREATED, location=location)


class TasksApi(TaskListApi, TaskCreateApi):
    """GET: query tasks; POST: a new task."""


class TaskDetailApi(TodosApi):
    @extend_schema(operation_id="todos_tasks_retrieve", responses={200: TaskOutput})
    def get(self, request, task_id: str):
        task = services.on_task(
            user=request.user,
            task_id=task_id,
            edit=False,
            run=lambda owner: selectors.task_get(owner=owner, task_id=task_id),
        )
        return item_response(request, task, TaskOutput)


class TaskUpdateApi(TodosApi):
    class InputSerializer(TaskFields):
        class Meta:
            ref_name = "TodosTaskUpdateInput"

        version = version_field()

        def get_fields(self):
            fields = super().get_fields()
            fields.pop("list_id")  # moving has its own endpoint
            return fields

    @extend_schema(
        operation_id="todos_tasks_update",
        request=InputSerializer,
        responses={200: TaskOutput, 428: PRECONDITION_REQUIRED},
        parameters=[IF_MATCH],
    )
    def patch(self, request, task_id: str):
        data = validated(TaskUpdateApi.InputSerializer, request.data, partial=True)
        version = expected_version(request, data, required=True)

        def update(owner: str) -> Task:
            services.check_reference(user=request.user, owner=owner, parent_id=data.get("parent_id"))
            return services.task_update(owner=owner, task_id=task_id, expected_version=version, **data)

        task = services.on_task(user=request.user, task_id=task_id, run=update, note="changed")
        return item_response(request, task, TaskOutput)


class TaskDeleteApi(TodosApi):
    @extend_schema(
        operation_id="todos_tasks_destroy",
        request=VersionInput,
        responses={204: None, 428: PRECONDITION_REQUIRED},
        parameters=[IF_MATCH],
        description="Moves the task, its subtasks and attachments to the Trash (trash id `task-<id>`) for 30 days.",
    )
    def delete(self, request, task_id: str):
        version = expected_version(request, validated(VersionInput, request.data), required=True)
        services.on_task(
            user=request.user,
            task_id=task_id,
            note="deleted",
            run=lambda owner: services.task_delete(owner=owner, task_id=task_id, expected_version=version),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskApi(TaskDetailApi, TaskUpdateApi, TaskDeleteApi):
    """GET, PATCH, DELETE one task."""


class _VersionOnly(StrictSerializer):
    version = version_field()


def _task_transition(request, task_id: str, transition: Callable[..., Task], *, note: str) -> Response:
    """Complete or reopen: the version read (If-Match or body) in, the task as it is now out."""
    version = expected_version(request, validated(_VersionOnly, request.data))
    task = services.on_task(
        user=request.user,
        task_id=task_id,
        note=note,
        run=lambda owner: transition(owner=owner, task_id=task_id, expected_version=version),
    )
    return item_response(request, task, TaskOutput)


class TaskCompleteApi(TodosApi):
    InputSerializer = _VersionOnly

    @extend_schema(
        operation_id="todos_tasks_complete",
        request=_VersionOnly,
        responses={200: TaskOutput},
        parameters=[IF_MATCH],
        description="A recurring task moves to its next occurrence instead.",
    )
    def post(self, request, task_id: str):
        return _task_transition(request, task_id, services.task_complete, note="completed")


class TaskReopenApi(TodosApi):
    InputSerializer = _VersionOnly

    @extend_schema(
        operation_id="todos_tasks_reopen", request=_VersionOnly, responses={200: TaskOutput}, parameters=[IF_MATCH]
    )
    def post(self, request, task_id: str):
        return _task_transition(request, task_id, services.task_reopen, note="reopened")


class TaskMoveApi(TodosApi):
    class InputSerializer(StrictSerializer):
        class Meta:
            ref_name = "TodosTaskMoveInput"

        list_id = serializers.CharField(max_length=40)
        position = position_field(required=False)
        version = version_field()

    @extend_schema(
        operation_id="todos_tasks_move", request=InputSerializer, responses={200: TaskOutput}, parameters=[IF_MATCH]
    )
    def post(self, request, task_id: str):
        data = validated(TaskMoveApi.InputSerializer, request.data)
        version = expected_version(request, data)

        def move(owner: str) -> Task:
            services.check_reference(user=request.user, owner=owner, list_id=data["list_id"])
            return services.task_move(owner=owner, task_id=task_id, expected_version=version, **data)

        task = services.on_task(user=request.user, task_id=task_id, run=move, note="moved")
        return item_response(request, task, TaskOutput)


class ReorderItem(StrictSerializer):
    id = serializers.CharField(max_length=40)
    position = position_field()
    version = version_field()


class TaskReorderApi(TodosApi):
    parser_classes = [SafeJSONParser]  # a list of objects has no form encoding: a form body is a 415

    class InputSerializer(StrictSerializer):
        class Meta:
            ref_name = "TodosTaskReorderInput"

        items = ReorderItem(many=True, allow_empty=False, max_length=100)

    OutputSerializer = results_output("TodosTaskReorderOutput", TaskOutput)

    @extend_schema(operation_id="todos_tasks_reorder", request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        data = validated(TaskReorderApi.InputSerializer, request.data)
        try:
            tasks = services.tasks_reorder(owner=request.user.sub, items=data["items"])
        except TaskRuleBroken:  # not all the caller's: perhaps all in a list shared with them
            owner = services.owner_for_tasks(user=request.user, task_ids=[item["id"] for item in data["items"]])
            if owner == request.user.sub:
                raise
            tasks = services.tasks_reorder(owner=owner, items=data["items"])
        return results_response(request, tasks, TaskOutput)
