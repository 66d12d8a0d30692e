"""electron-builder's `.blockmap` next to an artifact: uploaded with it, checked, kept at `<content address>.blockmap`.

electron-updater downloads the new and the installed version's blockmaps, compares their block
checksums and fetches only the changed blocks with multi-range requests (updates.delivery).
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib

from mysite import cache, storage
from updates.constants import IMMUTABLE, READY
from updates.models import Artifact

logger = logging.getLogger(__name__)

BLOCKMAP_SUFFIX = ".blockmap"
MAX_BLOCKMAP_BYTES = 8 * 1024**2  # electron-builder's are a few hundred KiB for a 100 MB installer


def blockmap_upload(*, upload_key: str, size: int) -> dict:
    """A presigned POST for the artifact's blockmap, beside its upload; S3's event attaches it."""
    post = storage.presigned_post(
        key=upload_key + BLOCKMAP_SUFFIX, max_bytes=size, content_type="application/octet-stream"
    )
    return {"url": post.url, "fields": post.fields}


def _valid_blockmap(body: bytes) -> bool:
    """electron-builder's format: gzip of `{"version": "2", "files": [{name, offset, checksums, sizes}]}`."""
    try:
        document = json.loads(gzip.decompress(body))
    except (OSError, EOFError, zlib.error, ValueError):
        return False
    files = document.get("files") if isinstance(document, dict) else None
    return isinstance(files, list) and all(
        isinstance(f, dict) and len(f.get("checksums", ())) == len(f.get("sizes", ())) for f in files
    )


def blockmap_attach(artifact: Artifact) -> bool:
    """Copy a ready artifact's uploaded blockmap to `<its key>.blockmap` once it checks out; True if attached."""
    source = artifact.upload_key + BLOCKMAP_SUFFIX
    head = storage.object_head(source)
    if artifact.status != READY or head is None:
        return False
    if int(head["ContentLength"]) > MAX_BLOCKMAP_BYTES or not _valid_blockmap(storage.object_read(source)):
        logger.warning("Blockmap %s is not electron-builder's format; not served", source)
        storage.objects_delete([source])
        return False
    destination = artifact.key + BLOCKMAP_SUFFIX
    storage.object_copy(source, destination, content_type="application/octet-stream", cache_control=IMMUTABLE)
    artifact.blockmap_key = destination
    cache.save_with_bump(artifact, cache.product_scope(artifact.product))
    storage.objects_delete([source])
    return True
