"""What the stage needs to exist on AWS (or the emulators), as idempotent steps.

Each step can say whether anything is missing (`plan`) and make it so (`apply`).
`manage.py provision` runs them; a second run finds nothing to do.
Apps add their own steps in `<app>/provisioning.py` as `STEPS`.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from mysite.dynamo import all_models
from mysite.provisioning.aws_only import aws_only_steps
from mysite.provisioning.base import Change, Step
from mysite.provisioning.bucket import BucketStep, bucket_cors_rules
from mysite.provisioning.tables import TableStep
from mysite.provisioning.user_pool import APP_CLIENT_NAME, UserPoolStep, find_app_client, find_user_pool
from mysite.registry import declared

__all__ = [
    "APP_CLIENT_NAME",
    "BucketStep",
    "Change",
    "Step",
    "TableStep",
    "UserPoolStep",
    "all_steps",
    "app_steps",
    "apply_outputs",
    "aws_only_steps",
    "bucket_cors_rules",
    "find_app_client",
    "find_user_pool",
    "write_outputs",
]


def app_steps() -> list[Step]:
    return [factory() for factory in declared("provisioning", "STEPS", exclude=("mysite",))]


def all_steps(outputs: dict) -> list[Step]:
    return [
        *(TableStep(model) for model in all_models()),
        BucketStep(),
        UserPoolStep(outputs),
        *aws_only_steps(outputs),
        *app_steps(),
    ]


def write_outputs(outputs: dict) -> Path | None:
    """Locally, record the created ids where the local settings read them."""
    path = getattr(settings, "STACK_OUTPUTS_FILE", None)
    if not path:
        return None
    path = Path(path)
    current = json.loads(path.read_text()) if path.exists() else {}
    if current == {**current, **outputs}:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**current, **outputs}, indent=2) + "\n")
    return path


def apply_outputs(outputs: dict) -> None:
    """Make the ids visible to this process at once (settings were read before they existed)."""
    for name, value in outputs.items():
        setattr(settings, name, value)
