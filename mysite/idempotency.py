"""`Idempotency-Key` on API creates, and a hidden key on HTML create forms: a retry gets the first outcome again.

The first request with a key claims it with a conditional put, runs, and stores its 2xx answer
for 24 hours (the record's TTL). A retry with the same key and body gets that answer replayed
(`Idempotent-Replayed: true`); the same key with another body is a 422; a retry while the first
is still running is a 409. A failed request releases its key, since it changed nothing.
HTML forms carry the key in a hidden field (`{% idempotency_field %}`, a new one at each render) and
run their create through `form_once`, which remembers the create's outcome (the new item's id) the same
way. State lives in DynamoDB only, so it holds across processes, threads and Lambda containers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from drf_spectacular.utils import OpenApiParameter
from pynamodb.exceptions import DoesNotExist, PutError
from rest_framework.response import Response

from mysite.errors import Conflict, InvalidInput, Unprocessable
from mysite.models import IdempotencyRecord

KEEP = timedelta(hours=24)
# A request that claimed a key but never finished (its process died) frees it after this long.
ABANDONED_SECONDS = 120
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
FORM_FIELD = "idempotency_key"

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": r"^[\x21-\x7e]{1,255}$"},  # what _KEY holds it to
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID): a retry with the same key and body gets the first answer again.",
)


class IdempotencyKeyReused(Unprocessable):
    code, message = "idempotency_key_reused", "This Idempotency-Key was used for a different request."


class IdempotencyInProgress(Conflict):
    code, message = "idempotency_in_progress", "A request with this Idempotency-Key is still running; retry shortly."


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(json.loads(record.body) if record.body else None, status=int(record.status))
    if record.etag:
        response["ETag"] = record.etag
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    response["Cache-Control"] = "private, no-cache"
    return response


def _claim(record: IdempotencyRecord) -> IdempotencyRecord | None:
    """Claim the key for this request; None when claimed, else the record that holds it."""
    try:
        record.save(condition=IdempotencyRecord.key.does_not_exist())
        return None
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    try:
        existing = IdempotencyRecord.get(record.scope, record.key, consistent_read=True)
    except DoesNotExist:  # released in between: claim it again
        return _claim(record)
    expired = existing.expires_at is not None and existing.expires_at <= datetime.now(UTC)
    abandoned = existing.state != "done" and time.time() - (existing.started_at or 0) > ABANDONED_SECONDS
    if expired or abandoned:
        record.save()  # DynamoDB's TTL deletes lazily; an expired or abandoned claim is free
        return None
    return existing


def idempotent(method):
    """Decorate an APIView's create method (`post`) to honour an `Idempotency-Key` header."""

    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return method(view, request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            raise InvalidInput("An Idempotency-Key is 1 to 255 visible ASCII characters.", field="Idempotency-Key")
        record = IdempotencyRecord(
            f"{request.user.sub} {request.method} {request.path}",
            key,
            fingerprint=hashlib.sha256(request.body).hexdigest(),
            started_at=int(time.time()),
            expires_at=KEEP,
        )
        existing = _claim(record)
        if existing is not None:
            if existing.fingerprint != record.fingerprint:
                raise IdempotencyKeyReused(field="Idempotency-Key")
            if existing.state != "done":
                raise IdempotencyInProgress()
            return _replay(existing)
        try:
            response = method(view, request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300:
            actions = [
                IdempotencyRecord.state.set("done"),
                IdempotencyRecord.status.set(response.status_code),
                IdempotencyRecord.body.set(json.dumps(response.data, default=str)),
            ]
            for header, attribute in (("ETag", IdempotencyRecord.etag), ("Location", IdempotencyRecord.location)):
                if response.get(header):
                    actions.append(attribute.set(response[header]))
            record.update(actions=actions)
        else:
            record.delete()
        return response

    return wrapper


def form_once(request, create: Callable[[], str]) -> str:
    """Run an HTML form's `create` once per hidden key; a resubmission gets the first outcome, creating nothing.

    `create` returns a short text that lets the view answer as it did the first time (the new item's
    id). Without a key (an old page) it just runs. The same key with other fields is a 422, a
    resubmission while the first still runs a 409 (both ApplicationErrors the form views already show).
    """
    key = request.POST.get(FORM_FIELD)
    if not key:
        return create()
    if not _KEY.fullmatch(key):
        raise InvalidInput("The form's key is 1 to 255 visible ASCII characters.", field=FORM_FIELD)
    fields = sorted((name, value) for name, value in request.POST.lists() if name != "csrfmiddlewaretoken")
    record = IdempotencyRecord(
        f"{request.user.sub} FORM {request.path}",
        key,
        fingerprint=hashlib.sha256(json.dumps(fields).encode()).hexdigest(),
        started_at=int(time.time()),
        expires_at=KEEP,
    )
    existing = _claim(record)
    if existing is not None:
        if existing.fingerprint != record.fingerprint:
            raise IdempotencyKeyReused(field=FORM_FIELD)
        if existing.state != "done":
            raise IdempotencyInProgress()
        return existing.body or ""
    try:
        outcome = create()
    except BaseException:
        record.delete()
        raise
    record.update(
        actions=[
            IdempotencyRecord.state.set("done"),
            IdempotencyRecord.status.set(200),
            IdempotencyRecord.body.set(outcome),
        ]
    )
    return outcome
