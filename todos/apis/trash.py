"""Trash endpoints: what was deleted (30 days), restore, purge now."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from mysite.apis import page_limit, results_output
from mysite.constants import MAX_CURSOR_LENGTH
from todos import selectors, services
from todos.apis._common import (
    FORMAT_JSON,
    BrowsableFilter,
    TodosApi,
    private_response,
    results_response,
    validated,
)
from todos.apis.serializers import ListOutput, TaskOutput, derived

TRASH_PAGE = 100


class TrashEntryOutput(serializers.Serializer):
    class Meta:
        ref_name = "TodosTrashEntry"

    id = serializers.CharField(source="trash_key", help_text='The trash id: "task-<task id>" or "list-<list id>".')
    kind = serializers.ChoiceField(choices=["task", "list"])
    item_id = serializers.CharField(help_text="The id of the task or list deleted (the same again once restored).")
    title = derived(
        serializers.CharField, lambda entry: entry.title or "", help_text="The task's title or the list's name."
    )
    list_id = serializers.CharField(allow_null=True, help_text="A task's list when it was deleted.")
    deleted_at = serializers.CharField(source="deleted", help_text="When it was deleted (UTC, microseconds).")
    expires_at = serializers.DateTimeField(help_text="When it leaves the Trash for good.")


class TrashListApi(TodosApi):
    """GET: the user's Trash, newest deletion first, a page at a time."""

    class FilterSerializer(BrowsableFilter):
        class Meta:
            ref_name = "TodosTrashListFilter"

        limit = page_limit(maximum=TRASH_PAGE, default=50)
        cursor = serializers.CharField(required=False, max_length=MAX_CURSOR_LENGTH)

    OutputSerializer = results_output("TodosTrashListOutput", TrashEntryOutput, paged=True)

    @extend_schema(
        operation_id="todos_trash_list",
        parameters=[FilterSerializer, FORMAT_JSON],
        responses={200: OutputSerializer},
        description=f"Deleted tasks and lists stay here {services.TRASH_DAYS} days; then they are gone for good.",
    )
    def get(self, request):
        data = validated(TrashListApi.FilterSerializer, request.query_params.dict())
        entries, next_cursor = selectors.trash_page(
            owner=request.user.sub, limit=data["limit"], cursor=data.get("cursor")
        )
        return results_response(request, entries, TrashEntryOutput, next_cursor=next_cursor)


class TrashItemApi(TodosApi):
    """DELETE one Trash entry: purge it now."""

    @extend_schema(
        operation_id="todos_trash_destroy",
        responses={204: None},
        description="Delete the entry for good now, with its tasks' attachments (the stored files too).",
    )
    def delete(self, request, trash_id: str):
        services.trash_purge(owner=request.user.sub, trash_id=trash_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrashRestoreApi(TodosApi):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TodosTrashRestoreOutput"

        kind = serializers.ChoiceField(choices=["task", "list"])
        task = TaskOutput(allow_null=True, help_text="The task restored (kind task), with its subtasks and files.")
        list = ListOutput(allow_null=True, help_text="The list restored (kind list), with its tasks.")

    @extend_schema(
        operation_id="todos_trash_restore",
        request=None,
        responses={200: OutputSerializer},
        description=(
            "A task goes back into its list (the Inbox if its list is gone) with its subtasks and attachments; "
            "a list comes back with its tasks. Restoring what is no longer in the Trash is a 404."
        ),
    )
    def post(self, request, trash_id: str):
        kind, item = services.trash_restore(owner=request.user.sub, trash_id=trash_id)
        restored = {"kind": kind, "task": item if kind == "task" else None, "list": item if kind == "list" else None}
        return private_response(request, self.OutputSerializer(restored).data)
