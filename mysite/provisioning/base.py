"""What every provisioning step is: a plan of changes, each with the call that applies it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError


@dataclass
class Change:
    """One thing a step will do (or did)."""

    description: str
    apply: Callable[[], object]


class Step:
    name = "step"

    def plan(self) -> list[Change]:
        raise NotImplementedError


def error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")
