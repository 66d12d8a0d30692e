"""The read-through item cache (the seed's DAX): per-user entries, all dropped on any write.

Each user has a generation number in the cache; every entry's key includes it,
so one write invalidates all of that user's cached reads at once. An invalidation
reaches only the processes sharing the cache: with locmem on Lambda each container
has its own, so production should point CACHES at a shared cache (or use DAX), or
accept reads up to CACHE_SECONDS old from other containers.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
CACHE_SECONDS = 300


def _generation_key(owner: str) -> str:
    return f"todos:gen:{owner}"


def _generation(owner: str) -> str:
    generation = cache.get(_generation_key(owner))
    if generation is None:
        cache.add(_generation_key(owner), uuid.uuid4().hex, None)
        generation = cache.get(_generation_key(owner))
    return generation


def cached[T](owner: str, name: str, params: dict, compute: Callable[[], T]) -> T:
    """`compute()` once per (user, name, params) until the user's next write."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:24]
    key = f"todos:{owner}:{_generation(owner)}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def invalidate(owner: str) -> None:
    """Forget every cached read of `owner` (called by every write)."""
    cache.set(_generation_key(owner), uuid.uuid4().hex, None)
