"""Writes of the update catalog (HackSoft services), split by entity."""

from __future__ import annotations

from updates.services.artifacts import artifact_process, artifact_upload_complete, artifact_upload_start
from updates.services.products import product_create
from updates.services.releases import (
    release_create,
    release_pause,
    release_publish,
    release_resume,
    release_update,
    release_yank,
    tuf_refresh,
)

__all__ = [
    "artifact_process",
    "artifact_upload_complete",
    "artifact_upload_start",
    "product_create",
    "release_create",
    "release_pause",
    "release_publish",
    "release_resume",
    "release_update",
    "release_yank",
    "tuf_refresh",
]
