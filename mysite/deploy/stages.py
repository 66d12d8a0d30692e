"""zappa_settings.json: reading a stage and writing back what the deploy commands rendered into it."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

SETTINGS_FILE = "zappa_settings.json"
STAGES = ("dev", "production")

# Unknown until `provision` has run against the stage's account; `zappa_settings` replaces them.
ACCOUNT_PLACEHOLDER = "ACCOUNT_ID"
PENDING = "PENDING_PROVISION"


def settings_path() -> Path:
    return Path(getattr(settings, "ZAPPA_SETTINGS_FILE", None) or Path(settings.BASE_DIR) / SETTINGS_FILE)


def read_all(path: Path | None = None) -> dict:
    path = path or settings_path()
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise CommandError(f"{path} is not valid JSON: {error}") from error


def read_stage(stage: str, path: Path | None = None) -> dict:
    """One stage's configuration, with `extends` resolved."""
    stages = read_all(path)
    if stage not in stages:
        raise CommandError(f"No stage {stage!r} in {path or settings_path()} (stages: {', '.join(stages) or 'none'}).")
    config = dict(stages[stage])
    parent = config.pop("extends", None)
    if parent:
        config = {**read_stage(parent, path), **config}
    return config


def dumps(stages: dict) -> str:
    return json.dumps(stages, indent=2) + "\n"


def write_stage(stage: str, config: dict, path: Path | None = None) -> bool:
    """Replace one stage in the file; True if the file changed."""
    path = path or settings_path()
    stages = read_all(path)
    before = dumps(stages) if stages else ""
    stages[stage] = config
    after = dumps(stages)
    if before == after:
        return False
    path.write_text(after)
    return True
