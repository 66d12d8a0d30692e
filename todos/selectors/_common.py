"""What every todos read shares: the read cache under the user's scope, and one Query request as a page."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, QueryError

from mysite import cache
from mysite.dynamo import encode_cursor
from mysite.errors import InvalidCursor
from todos.models import Task, TodoList

SORTS = ("position", "due", "priority")
MAX_PAGE = 200


def _cached(owner: str, name: str, params: dict, compute):
    """A read of `owner`'s data, kept until their next write (on any container)."""
    return cache.cached(scope=cache.user_scope(owner), name=name, params=params, compute=compute)


def _cached_item(model: type[TodoList] | type[Task], owner: str, item_id: str, *, name: str, missing: type[Exception]):
    """One of `owner`'s items through the read cache (its absence is cached too); `missing` raised when absent."""

    def load():
        try:
            return model.get(owner, item_id)
        except DoesNotExist:
            return False

    found = _cached(owner, name, {"id": item_id}, load)
    if not found:
        raise missing()
    return found


def _one_request(results, *, scope: str) -> tuple[list, str | None]:
    """What one DynamoDB request of a Query returns, and the cursor (for `scope`) after what it read.

    PynamoDB's `limit` keeps requesting until that many items pass the filter, which can read a
    whole partition; a page here is one request (`limit` items read), whatever the filter keeps.
    """
    try:
        raw = next(results.page_iter)
    except StopIteration:
        return [], None
    except QueryError as error:
        if error.cause_response_code == "ValidationException":
            raise InvalidCursor() from None  # a start key outside the key conditions (a day later, say)
        raise
    items = [results._map_fn(item) for item in raw.get("Items", [])]
    return items, encode_cursor(results.page_iter.last_evaluated_key, scope=scope)
