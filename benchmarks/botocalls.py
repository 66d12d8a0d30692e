"""Every AWS call the process makes, counted where botocore sends it (PynamoDB and boto3 alike)."""

from __future__ import annotations

import copy
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from botocore.client import BaseClient

_local = threading.local()
_original = BaseClient._make_api_call


@dataclass
class Call:
    service: str
    operation: str
    params: dict
    capacity: float = 0.0

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


def _recording_call(self, operation_name, api_params):
    recording = getattr(_local, "recording", None)
    if recording is None:
        return _original(self, operation_name, api_params)
    service = self.meta.service_model.service_name
    params = dict(api_params)
    operation = self.meta.service_model.operation_model(operation_name)
    if service == "dynamodb" and "ReturnConsumedCapacity" in operation.input_shape.members:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
    response = _original(self, operation_name, params)
    recording.calls.append(Call(service, operation_name, copy.deepcopy(api_params), _capacity(response)))
    return response


BaseClient._make_api_call = _recording_call


@contextmanager
def record():
    """Record the AWS calls made by this thread inside the block."""
    recording = Recording()
    _local.recording = recording
    try:
        yield recording
    finally:
        _local.recording = None
