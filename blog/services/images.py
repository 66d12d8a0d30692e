"""Image uploads: the presigned POST for the browser, and the pipeline run on S3's ObjectCreated."""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from pynamodb.exceptions import PutError

from blog import imaging
from blog.models import IMAGE_PENDING, IMAGE_READY, IMAGE_REJECTED, Image, utcnow
from blog.selectors import ImageNotFound, image_get
from mysite import storage
from mysite.errors import InvalidInput, PayloadTooLarge

logger = logging.getLogger(__name__)

UPLOAD_PREFIX = "uploads/blog/"
MEDIA_PREFIX = "media/blog/"
ACCEPTED_CONTENT_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
IMMUTABLE = "public, max-age=31536000, immutable"
_UPLOAD_KEY = re.compile(rf"^{re.escape(UPLOAD_PREFIX)}([0-9a-f]{{32}})/[^/]+$")


def image_max_bytes() -> int:
    return getattr(settings, "BLOG_IMAGE_MAX_BYTES", 15 * 1024 * 1024)


def image_max_pixels() -> int:
    return getattr(settings, "BLOG_IMAGE_MAX_PIXELS", 40_000_000)


def _safe_filename(filename: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip("-.")
    return name[-100:] or "image"


def image_upload_start(*, uploaded_by: str, filename: str, content_type: str, size: int) -> tuple[Image, dict]:
    """Record a pending image and return a presigned POST that admits exactly that upload."""
    if content_type not in ACCEPTED_CONTENT_TYPES:
        raise InvalidInput("Upload a JPEG, PNG, WebP or GIF image.", field="content_type")
    if size > image_max_bytes():
        raise PayloadTooLarge(f"Images can be at most {image_max_bytes() // (1024 * 1024)} MB.", field="size")
    if size < 1:
        raise InvalidInput("The file is empty.", field="size")
    image_id = uuid.uuid4().hex
    image = Image(
        image_id,
        upload_key=f"{UPLOAD_PREFIX}{image_id}/{_safe_filename(filename)}",
        filename=filename[:200],
        uploaded_by=uploaded_by,
    )
    image.save()
    post = storage.presigned_post(
        key=image.upload_key, max_bytes=image_max_bytes(), content_type=content_type, accelerate=True
    )
    return image, post.as_dict()


def _reject(image: Image | None, key: str, reason: str) -> str:
    storage.objects_delete([key])
    if image is not None:
        image.status, image.reason, image.processed_at = IMAGE_REJECTED, reason, utcnow()
        try:
            image.save()
        except PutError:
            logger.info("Image %s changed while being rejected; keeping the other outcome", image.image_id)
    logger.info("Rejected upload %s: %s", key, reason)
    return IMAGE_REJECTED


def image_process(*, key: str) -> str:
    """Turn an upload into renditions, or reject and delete it. Redelivered events change nothing."""
    match = _UPLOAD_KEY.match(key)
    if not match:
        return _reject(None, key, "not an upload this app issued")
    try:
        image = image_get(image_id=match.group(1))
    except ImageNotFound:
        return _reject(None, key, "no image record")
    if image.status != IMAGE_PENDING or image.upload_key != key:
        return image.status  # already done: S3 delivers at least once
    head = storage.object_head(key)
    if head is None:
        return image.status
    if head["ContentLength"] > image_max_bytes():
        return _reject(image, key, "The file is larger than the upload limit.")
    try:
        processed = imaging.process(storage.object_read(key), max_pixels=image_max_pixels())
    except imaging.ImageRejected as error:
        return _reject(image, key, str(error))
    renditions = []
    for rendition in processed.renditions:
        # Content-hashed keys never change meaning, so they are cached forever everywhere.
        rendition_key = f"{MEDIA_PREFIX}{processed.content_hash}-{rendition.width}.{rendition.extension}"
        storage.object_write(
            rendition_key, rendition.data, content_type=rendition.content_type, cache_control=IMMUTABLE
        )
        renditions.append(
            {"width": rendition.width, "height": rendition.height, "key": rendition_key, "type": rendition.content_type}
        )
    image.status = IMAGE_READY
    image.content_hash = processed.content_hash
    image.original_format = processed.original_format
    image.width, image.height = processed.width, processed.height
    image.renditions = renditions
    image.processed_at = utcnow()
    try:
        image.save()
    except PutError:
        # A concurrent delivery of the same event finished first; its result (same keys) stands.
        return image_get(image_id=image.image_id).status
    return IMAGE_READY
