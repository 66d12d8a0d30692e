"""The fixed vocabulary of the catalog: platforms, statuses, limits."""

from __future__ import annotations

import re

PLATFORMS = (
    "darwin-universal",
    "darwin-arm64",
    "darwin-x64",
    "windows-x64",
    "windows-arm64",
    "linux-x64",
    "linux-arm64",
)
# Sparkle serves macOS only; the appcast takes the first of these a release has.
DARWIN_PLATFORMS = ("darwin-universal", "darwin-arm64", "darwin-x64")
# update.electronjs.org names platforms after Node's `process.platform`.
ELECTRON_PLATFORM_ALIASES = {
    "darwin": "darwin-universal",
    "darwin-x64": "darwin-x64",
    "darwin-arm64": "darwin-arm64",
    "win32": "windows-x64",
    "win32-x64": "windows-x64",
    "win32-arm64": "windows-arm64",
    "linux": "linux-x64",
    "linux-x64": "linux-x64",
    "linux-arm64": "linux-arm64",
}

DRAFT, PUBLISHED, PAUSED, YANKED = "draft", "published", "paused", "yanked"
STATUSES = (DRAFT, PUBLISHED, PAUSED, YANKED)
PENDING, READY, REJECTED = "pending", "ready", "rejected"

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
CHANNEL_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
FILENAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# Path segments under /updates/ and /api/updates/ that a product slug would shadow.
RESERVED_SLUGS = frozenset({"products", "keys", "artifacts", "admin", "api", "static", "tuf"})

MAX_ARTIFACT_BYTES = 5 * 1024**3  # S3's CopyObject limit: the content-addressed copy is one request
PART_SIZE = 8 * 1024**2  # S3 requires at least 5 MiB for every part but the last
MAX_NOTES_LENGTH = 20_000
UPLOAD_PREFIX = "uploads/updates/"
ARTIFACT_PREFIX = "artifacts/"
# Where a yanked release's files go: out of every route that serves `artifacts/`, kept for the record.
WITHDRAWN_PREFIX = "yanked/"
IMMUTABLE = "public, max-age=31536000, immutable"
MAX_BEACON_BYTES = 1024  # a beacon body (a 413 beyond)
