"""Every AWS call the process makes, recorded where botocore sends it (PynamoDB and boto3 alike).

Importing this module wraps botocore's one entry point for API calls
(`BaseClient._make_api_call`) and the two ways of presigning (a presigned URL and an S3
POST policy), so calls of every client are seen, whoever created it. Nothing is recorded
outside a `record()` block. The benchmarks count DynamoDB work with it; the IAM test
derives the permissions the function needs from it.

A recording is process memory: `record()` sees the calling thread only;
`record(every_thread=True)` sees every thread of this process (boto3's transfer threads
included) and is guarded by a lock. Other processes are not seen.
"""

from __future__ import annotations

import copy
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from botocore.client import BaseClient
from botocore.signers import S3PostPresigner

_local = threading.local()
_shared: list[Recording] = []
_shared_lock = threading.Lock()
_original_call = BaseClient._make_api_call
_original_emit_params = BaseClient._emit_api_params
_original_presign_post = S3PostPresigner.generate_presigned_post

_PROJECT = Path(__file__).resolve().parents[2]
_LIBRARIES = ("/site-packages/", "/.venv/", "/lib/python")
_THIS_FILE = str(Path(__file__).resolve())


@dataclass
class Call:
    """One API request (or one presigned request handed to a browser) and who made it."""

    service: str
    operation: str
    params: dict
    capacity: float = 0.0
    presigned: bool = False
    origin: str = ""  # the project module nearest to the call on the stack ("" from a library's own thread)

    @property
    def label(self) -> str:
        """`GetItem bench-sessions`, `Query bench-posts/by_slug`: what the call read or wrote."""
        tables = self.params.get("TableName") or ",".join(
            sorted({i.get(k, {}).get("TableName", "?") for i in self.params.get("TransactItems", []) for k in i})
            or sorted(self.params.get("RequestItems", {}))
        )
        index = f"/{self.params['IndexName']}" if "IndexName" in self.params else ""
        return f"{self.operation} {tables}{index}" if self.service == "dynamodb" else f"{self.service}:{self.operation}"


@dataclass
class Recording:
    calls: list[Call] = field(default_factory=list)

    def of(self, service: str) -> list[Call]:
        return [c for c in self.calls if c.service == service]

    @property
    def dynamodb_calls(self) -> int:
        return len(self.of("dynamodb"))

    @property
    def capacity_units(self) -> float:
        return round(sum(c.capacity for c in self.of("dynamodb")), 2)

    def summary(self) -> str:
        return ", ".join(c.label for c in self.calls) or "-"


def _capacity(response: dict) -> float:
    consumed = response.get("ConsumedCapacity")
    if isinstance(consumed, dict):
        consumed = [consumed]
    return sum(float(c.get("CapacityUnits", 0)) for c in consumed or [])


def _recordings() -> list[Recording]:
    own = getattr(_local, "recording", None)
    with _shared_lock:
        shared = list(_shared)
    return ([own] if own is not None else []) + shared


def _origin() -> str:
    """The dotted module of the innermost project frame on this thread's stack."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename != _THIS_FILE and filename.startswith(str(_PROJECT)) and not any(p in filename for p in _LIBRARIES):
            relative = Path(filename).relative_to(_PROJECT).with_suffix("")
            return ".".join(relative.parts)
        frame = frame.f_back
    return ""


def _append(recordings: list[Recording], call: Call) -> None:
    with _shared_lock:
        for recording in recordings:
            recording.calls.append(call)


def _recording_call(self, operation_name, api_params):
    recordings = _recordings()
    if not recordings:
        return _original_call(self, operation_name, api_params)
    service = self.meta.service_model.service_name
    params = dict(api_params)
    operation = self.meta.service_model.operation_model(operation_name)
    if service == "dynamodb" and "ReturnConsumedCapacity" in operation.input_shape.members:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
    # Recorded before it is sent: a refused call still needed its permission.
    call = Call(service, operation_name, copy.deepcopy(api_params), origin=_origin())
    _append(recordings, call)
    response = _original_call(self, operation_name, params)
    call.capacity = _capacity(response)
    return response


def _recording_emit_params(self, api_params, operation_model, context):
    # Presigned URLs build their parameters here and are never sent by this process.
    # The POST policy passes through here as a stand-in CreateBucket; it is recorded below.
    if context.get("is_presign_request") and operation_model.name != "CreateBucket":
        recordings = _recordings()
        if recordings:
            service = self.meta.service_model.service_name
            _append(
                recordings,
                Call(service, operation_model.name, copy.deepcopy(api_params), presigned=True, origin=_origin()),
            )
    return _original_emit_params(self, api_params, operation_model, context)


def _recording_presign_post(self, request_dict, fields=None, conditions=None, expires_in=3600, region_name=None):
    recordings = _recordings()
    if recordings:
        bucket = next((c["bucket"] for c in conditions or [] if isinstance(c, dict) and "bucket" in c), "")
        key = (fields or {}).get("key", "")
        _append(recordings, Call("s3", "PutObject", {"Bucket": bucket, "Key": key}, presigned=True, origin=_origin()))
    return _original_presign_post(self, request_dict, fields, conditions, expires_in, region_name)


BaseClient._make_api_call = _recording_call
BaseClient._emit_api_params = _recording_emit_params
S3PostPresigner.generate_presigned_post = _recording_presign_post


@contextmanager
def record(*, every_thread: bool = False):
    """Record the AWS calls made inside the block: by this thread, or by every thread of the process."""
    recording = Recording()
    if every_thread:
        with _shared_lock:
            _shared.append(recording)
    else:
        _local.recording = recording
    try:
        yield recording
    finally:
        if every_thread:
            with _shared_lock:
                _shared.remove(recording)
        else:
            _local.recording = None
