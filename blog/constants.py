"""The blog's names: the states of a post and of an uploaded image."""

from __future__ import annotations

DRAFT, SCHEDULED, PUBLISHED = "draft", "scheduled", "published"
STATUSES = (DRAFT, SCHEDULED, PUBLISHED)
IMAGE_PENDING, IMAGE_READY, IMAGE_REJECTED = "pending", "ready", "rejected"
