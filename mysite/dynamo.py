"""The DynamoDB foundation: one Meta base for every model, table names, cursor tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable

from django.conf import settings
from pynamodb.models import Model

from mysite.errors import InvalidInput


def table_name(name: str) -> str:
    """The per-environment table name (`prod-profiles`, `local-profiles`, ...)."""
    return f"{settings.DYNAMODB_TABLE_PREFIX}{name}"


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


def all_models() -> list[type[Model]]:
    """Every PynamoDB model declared in an installed app's `models` module."""
    from importlib import import_module

    from django.apps import apps

    found: list[type[Model]] = []
    for app in apps.get_app_configs():
        try:
            module = import_module(f"{app.name}.models")
        except ModuleNotFoundError as error:
            if error.name != f"{app.name}.models":
                raise
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Model)
                and value is not Model
                and value.__module__ == module.__name__
                and getattr(getattr(value, "Meta", None), "table_name", None)
            ):
                found.append(value)
    return found


# --- Cursor pagination --------------------------------------------------------
# A cursor is DynamoDB's LastEvaluatedKey, signed so that a client can neither
# forge one pointing into another user's partition nor notice its structure.


def _signature(payload: bytes) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), payload, hashlib.sha256).digest()[:16]


def encode_cursor(last_evaluated_key: dict | None) -> str | None:
    """An opaque token for the next page, or None when there is none."""
    if not last_evaluated_key:
        return None
    payload = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(_signature(payload) + payload).decode().rstrip("=")


def decode_cursor(token: str | None) -> dict | None:
    """The LastEvaluatedKey inside a token from `encode_cursor`; InvalidInput if tampered."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        signature, payload = raw[:16], raw[16:]
        if not hmac.compare_digest(signature, _signature(payload)):
            raise ValueError("bad signature")
        key = json.loads(payload)
        if not isinstance(key, dict):
            raise ValueError("not a key")
        return key
    except (ValueError, TypeError):
        raise InvalidInput("This cursor is invalid or has been tampered with.", field="cursor") from None


def page(results, *, limit: int) -> tuple[list, str | None]:
    """Drain one page of a PynamoDB result iterator; return the items and the next cursor."""
    items: list = list(results)
    return items[:limit], encode_cursor(results.last_evaluated_key)


def chunks(values: Iterable, size: int) -> Iterable[list]:
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
