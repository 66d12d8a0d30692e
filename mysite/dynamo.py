"""The DynamoDB foundation: one Meta base for every model, table names, indexes, the write vocabulary, cursor pages.

Writes: `transact()` opens a labelled transaction; `condition_failed()` says whether a write (or a
named item of a transaction) lost its condition, reading the reasons by item and never by index.
Reads: `page()` drains one page of a query and signs its cursor.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from pynamodb.attributes import Attribute
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, Projection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from mysite.errors import InvalidCursor


def table_name(name: str) -> str:
    """The per-environment table name (`prod-profiles`, `local-profiles`, ...)."""
    return f"{settings.DYNAMODB_TABLE_PREFIX}{name}"


def utcnow() -> datetime:
    """The current time in UTC: the callable default of the models' UTCDateTimeAttribute fields."""
    return datetime.now(UTC)


class BaseMeta:
    """Connection settings every model shares: `class Meta(BaseMeta): table_name = ...`."""

    region = settings.AWS_REGION
    host = settings.DYNAMODB_ENDPOINT_URL
    aws_access_key_id = settings.AWS_LOCAL_ACCESS_KEY_ID if settings.DYNAMODB_ENDPOINT_URL else None
    aws_secret_access_key = settings.AWS_LOCAL_SECRET_ACCESS_KEY if settings.DYNAMODB_ENDPOINT_URL else None
    billing_mode = "PAY_PER_REQUEST"
    connect_timeout_seconds = 3
    read_timeout_seconds = 10
    max_retry_attempts = 3


def global_index(name: str, *, projection: Projection | None = None, **keys: type[Attribute]) -> GlobalSecondaryIndex:
    """A GlobalSecondaryIndex called `name`, keyed on `keys`: the hash key's name and type, then any range key's.

    It projects every attribute unless `projection` says otherwise. Declared on the model:
    `by_kind = global_index("by-kind", kind=UnicodeAttribute, slug=UnicodeAttribute)`.
    """
    if not 1 <= len(keys) <= 2:
        raise TypeError("An index has a hash key and at most one range key.")
    attributes = {key: kind(hash_key=i == 0, range_key=i == 1) for i, (key, kind) in enumerate(keys.items())}
    meta = type("Meta", (), {"index_name": name, "projection": projection or AllProjection()})
    class_name = "".join(part.capitalize() for part in name.split("-")) + "Index"
    return type(class_name, (GlobalSecondaryIndex,), {"Meta": meta, **attributes})()


# --- DynamoDB's own limits ----------------------------------------------------------------------
# Values outside them are refused by DynamoDB with a ValidationException; checking first gives the
# caller a message about their field instead of a failed request.
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
# A Number holds up to 38 significant digits, magnitudes from 1E-130 up to (not including) 1E+126.
NUMBER_SMALLEST = 1e-130
NUMBER_LARGEST = 1e126
NUMBER_DIGITS = 38


def number_storable(value: float | int) -> bool:
    """Whether DynamoDB can store `value` exactly as a Number (finite, zero or 1E-130 <= |value| < 1E+126)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 10**NUMBER_DIGITS  # integers stay exact up to 38 digits
    return math.isfinite(value) and (value == 0 or NUMBER_SMALLEST <= abs(value) < NUMBER_LARGEST)


def all_models() -> list[type[Model]]:
    """Every PynamoDB model declared in an installed app's `models` module."""
    from mysite.registry import app_modules  # the registry needs Django's app registry, loaded after this

    return [
        value
        for module in app_modules("models")
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Model)
        and value is not Model
        and value.__module__ == module.__name__
        and getattr(getattr(value, "Meta", None), "table_name", None)
    ]


class LabelledTransactWrite(TransactWrite):
    """A TransactWrite that can say which of its items a cancellation reason is about.

    DynamoDB lists cancellation reasons in the order of the request's items, and PynamoDB
    sends condition checks, then deletes, then puts, then updates, whatever the order in
    which they were added; so an item's place in the code says nothing about its reason's
    index. Each operation takes an optional `label`; `failed` maps reasons back to labels.
    One instance per transaction, used by one thread.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._labels: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}

    def condition_check(self, model_cls, hash_key, range_key=None, condition=None, *, label: str = ""):
        super().condition_check(model_cls, hash_key, range_key=range_key, condition=condition)
        self._labels["check"].append(label)

    def delete(self, model, condition=None, *, add_version_condition: bool = True, label: str = "") -> None:
        super().delete(model, condition=condition, add_version_condition=add_version_condition)
        self._labels["delete"].append(label)

    def save(self, model, condition=None, return_values=None, *, label: str = "") -> None:
        super().save(model, condition=condition, return_values=return_values)
        self._labels["put"].append(label)

    def update(self, model, actions, condition=None, return_values=None, *, add_version_condition=True, label=""):
        super().update(
            model,
            actions,
            condition=condition,
            return_values=return_values,
            add_version_condition=add_version_condition,
        )
        self._labels["update"].append(label)

    def failed(self, error: TransactWriteError, *, code: str = "ConditionalCheckFailed") -> set[str]:
        """The labels of the items whose cancellation reason is `code`."""
        order = [label for kind in ("check", "delete", "put", "update") for label in self._labels[kind]]
        reasons = error.cancellation_reasons or []
        return {label for label, reason in zip(order, reasons, strict=False) if getattr(reason, "code", None) == code}


def transact() -> LabelledTransactWrite:
    """A new transaction on the models' connection (every table shares the endpoint and credentials).

    Use it as `with transact() as transaction: transaction.save(item, label="post")`; one per
    transaction and thread.
    """
    from mysite.models import CacheStamp  # every deployment has the stamps table

    return LabelledTransactWrite(connection=CacheStamp._get_connection().connection)


_CONDITION_FAILED = "ConditionalCheckFailed"


def condition_failed(error: Exception, *, transaction: LabelledTransactWrite | None = None, label: str = "") -> bool:
    """Whether a write failed on its condition (an existing item, a stale VersionAttribute).

    For a transaction, with `transaction` and `label`: whether that very item failed, read from the
    reasons by item; without them, whether any item did.
    """
    if isinstance(error, TransactWriteError):
        if transaction is not None and label:
            return label in transaction.failed(error, code=_CONDITION_FAILED)
        return any(getattr(r, "code", None) == _CONDITION_FAILED for r in error.cancellation_reasons or [])
    if isinstance(error, (PutError, UpdateError, DeleteError)):
        return getattr(error, "cause_response_code", None) == f"{_CONDITION_FAILED}Exception"
    return False


# --- Cursor pagination --------------------------------------------------------
# A cursor is DynamoDB's LastEvaluatedKey, signed together with the scope of the query it
# continues (its index, partition and key conditions, e.g. "blog.tag:python"), so that a client
# can neither forge one pointing into another user's partition, nor send one query's cursor to
# another (which DynamoDB refuses, or DynamoDB Local fails on), nor notice its structure.


def _signature(scope: str, payload: bytes) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), scope.encode() + b"\0" + payload, hashlib.sha256).digest()[:16]


def encode_cursor(last_evaluated_key: dict | None, *, scope: str) -> str | None:
    """An opaque token for the next page of the query named `scope`, or None when there is none."""
    if not last_evaluated_key:
        return None
    payload = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(_signature(scope, payload) + payload).decode().rstrip("=")


def decode_cursor(token: str | None, *, scope: str, field: str = "cursor") -> dict | None:
    """The LastEvaluatedKey inside a token `encode_cursor` made for `scope`; InvalidCursor (on `field`) otherwise."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        signature, payload = raw[:16], raw[16:]
        if not hmac.compare_digest(signature, _signature(scope, payload)):
            raise ValueError("bad signature")
        key = json.loads(payload)
        if not isinstance(key, dict):
            raise ValueError("not a key")
        return key
    except (ValueError, TypeError):
        raise InvalidCursor(field=field) from None


def page(results, *, limit: int, scope: str) -> tuple[list, str | None]:
    """Drain one page of a PynamoDB result iterator (queried with `limit`); the items and the next cursor."""
    items: list = list(results)
    return items[:limit], encode_cursor(results.last_evaluated_key, scope=scope)


def chunks(values: Iterable, size: int) -> Iterable[list]:
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
