"""Artifacts: presigned (multipart) uploads straight to S3, then verification, signing and a content-addressed copy."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import math
import re
import tempfile
import uuid
from datetime import UTC, datetime

from botocore.exceptions import ClientError
from django.conf import settings
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from mysite import aws, cache, storage
from mysite.errors import InvalidInput
from updates import signing
from updates.constants import (
    ARTIFACT_PREFIX,
    DRAFT,
    FILENAME_PATTERN,
    IMMUTABLE,
    MAX_ARTIFACT_BYTES,
    PART_SIZE,
    PENDING,
    PLATFORMS,
    READY,
    REJECTED,
    UPLOAD_PREFIX,
    WITHDRAWN_PREFIX,
    YANKED,
)
from updates.errors import ArtifactTooLarge, InvalidTransition, UploadInvalid
from updates.models import Artifact, Release
from updates.selectors import artifact_get, release_artifacts, release_get
from updates.services.blockmaps import BLOCKMAP_SUFFIX, MAX_BLOCKMAP_BYTES, blockmap_attach, blockmap_upload
from updates.services.products import conditional_failed
from updates.versions import SemVer, os_version_tuple

logger = logging.getLogger(__name__)

PART_URL_SECONDS = 3600
READ_CHUNK = 1024 * 1024


def _validate(*, platform: str, filename: str, size: int, sha256: str, minimum_os_version: str | None) -> None:
    if platform not in PLATFORMS:
        raise InvalidInput(f"Choose one of {', '.join(PLATFORMS)}.", field="platform")
    if not FILENAME_PATTERN.match(filename):
        raise InvalidInput("Use letters, digits, dots, dashes and underscores (at most 128).", field="filename")
    if size < 1:
        raise InvalidInput("The file is empty.", field="size")
    if size > MAX_ARTIFACT_BYTES:
        raise ArtifactTooLarge(f"Artifacts are limited to {MAX_ARTIFACT_BYTES // 1024**3} GiB.", field="size")
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InvalidInput("Give the SHA-256 as 64 lowercase hex digits.", field="sha256")
    if minimum_os_version:
        os_version_tuple(minimum_os_version, field_name="minimum_os_version")


def _check_tool_hashes(*, sha512: str | None, sha1: str | None) -> tuple[str | None, str | None]:
    """The hashes a packaging tool wrote (latest.yml's base64 SHA-512, RELEASES' hex SHA-1), normalised."""
    if sha512:
        try:
            raw = base64.b64decode(sha512, validate=True)
        except binascii.Error:
            raw = b""
        if len(raw) != 64:
            raise InvalidInput("Give the SHA-512 in base64, as latest.yml writes it.", field="sha512")
        sha512 = base64.b64encode(raw).decode("ascii")
    if sha1 and not re.fullmatch(r"[0-9a-fA-F]{40}", sha1):
        raise InvalidInput("Give the SHA-1 as 40 hex digits, as RELEASES writes it.", field="sha1")
    return sha512 or None, sha1.upper() if sha1 else None


def _abort(artifact: Artifact) -> None:
    """Abort a replaced multipart upload so its parts are not kept (and billed)."""
    if artifact.upload_id and artifact.status == PENDING:
        try:
            aws.client("s3").abort_multipart_upload(
                Bucket=storage.bucket(), Key=artifact.upload_key, UploadId=artifact.upload_id
            )
        except ClientError as error:
            # Only a finished or expired upload is "already gone"; AccessDenied and the rest are real failures
            # (the parts would stay billed), so they reach the caller.
            code = error.response.get("Error", {}).get("Code")
            if settings.S3_ENDPOINT_URL and code == "MethodNotAllowed":
                # s3rver implements no AbortMultipartUpload; its parts are local files.
                logger.info("The S3 emulator cannot abort multipart upload %s", artifact.upload_id)
                return
            if code != "NoSuchUpload":
                raise
            logger.info("Multipart upload %s was already gone", artifact.upload_id)


def artifact_upload_start(
    *,
    product: str,
    version: str,
    platform: str,
    filename: str,
    size: int,
    sha256: str,
    minimum_os_version: str | None = None,
    multipart: bool | None = None,
    sha512: str | None = None,
    sha1: str | None = None,
    blockmap_size: int | None = None,
) -> dict:
    """Record the declared artifact and return how the browser uploads it: one POST, or presigned parts.

    `sha512` and `sha1` are optional: the hashes electron-builder or Squirrel wrote for the file; the
    verifier rejects the upload if the stored bytes do not match them (it computes both either way).
    With `blockmap_size`, the answer also holds a POST for electron-builder's `.blockmap` of the file.
    """
    sha256 = sha256.lower()
    _validate(platform=platform, filename=filename, size=size, sha256=sha256, minimum_os_version=minimum_os_version)
    sha512, sha1 = _check_tool_hashes(sha512=sha512, sha1=sha1)
    if blockmap_size is not None and not 0 < blockmap_size <= MAX_BLOCKMAP_BYTES:
        raise InvalidInput(f"A blockmap is at most {MAX_BLOCKMAP_BYTES // 1024**2} MiB.", field="blockmap_size")
    release = release_get(product=product, version=version)
    if release.status != DRAFT:
        raise InvalidTransition("Artifacts can only be added while the release is a draft.")
    try:
        artifact = Artifact.get(product, f"{release.sort_key}#{platform}", consistent_read=True)
        _abort(artifact)
    except DoesNotExist:
        artifact = Artifact(product, f"{release.sort_key}#{platform}")
    # Build metadata does not change precedence (nor the item's key), and "+" is mangled by some S3 clones.
    version_in_key = release.version_name.partition("+")[0]
    key = f"{UPLOAD_PREFIX}{product}/{version_in_key}/{platform}/{uuid.uuid4().hex}/{filename}"
    multipart = size > PART_SIZE if multipart is None else multipart
    artifact.version_name = release.version_name
    artifact.platform = platform
    artifact.filename = filename
    artifact.minimum_os_version = minimum_os_version or None
    artifact.declared_size = size
    artifact.declared_sha256 = sha256
    artifact.declared_sha512, artifact.declared_sha1 = sha512, sha1
    artifact.upload_key = key
    artifact.status = PENDING
    artifact.rejection_reason = None
    artifact.upload_id = None
    artifact.blockmap_key = None
    s3 = aws.client("s3")
    if multipart:
        created = s3.create_multipart_upload(Bucket=storage.bucket(), Key=key, ContentType="application/octet-stream")
        artifact.upload_id = created["UploadId"]
        parts = [
            {
                "part_number": number,
                "url": s3.generate_presigned_url(
                    "upload_part",
                    Params={
                        "Bucket": storage.bucket(),
                        "Key": key,
                        "UploadId": artifact.upload_id,
                        "PartNumber": number,
                    },
                    ExpiresIn=PART_URL_SECONDS,
                ),
            }
            for number in range(1, math.ceil(size / PART_SIZE) + 1)
        ]
        instructions = {"mode": "multipart", "upload_id": artifact.upload_id, "part_size": PART_SIZE, "parts": parts}
    else:
        post = storage.presigned_post(key=key, max_bytes=size, content_type="application/octet-stream")
        instructions = {"mode": "post", "url": post.url, "fields": post.fields}
    try:
        cache.save_with_bump(artifact, cache.product_scope(artifact.product))
    except TransactWriteError as error:
        if conditional_failed(error):
            raise UploadInvalid("Another upload for this platform started at the same time; try again.") from None
        raise
    if blockmap_size is not None:
        instructions["blockmap"] = blockmap_upload(upload_key=key, size=blockmap_size)
    return {"platform": platform, "key": key, "size": size, **instructions}


def artifact_upload_complete(
    *, product: str, version: str, platform: str, upload_id: str, parts: list[dict]
) -> Artifact:
    """CompleteMultipartUpload with the parts' ETags; S3 then notifies the verifier."""
    release = release_get(product=product, version=version)
    artifact = artifact_get(release=release, platform=platform)
    if artifact.status != PENDING or artifact.upload_id != upload_id:
        raise UploadInvalid("This upload is not in progress (it may have been replaced).", field="upload_id")
    ordered = sorted(parts, key=lambda part: part["part_number"])
    expected = math.ceil(int(artifact.declared_size) / PART_SIZE)
    if [p["part_number"] for p in ordered] != list(range(1, expected + 1)):
        raise UploadInvalid(f"Send all {expected} parts, numbered from 1.", field="parts")
    try:
        aws.client("s3").complete_multipart_upload(
            Bucket=storage.bucket(),
            Key=artifact.upload_key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": p["part_number"], "ETag": p["etag"]} for p in ordered]},
        )
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message") or "S3 refused to complete the upload."
        raise UploadInvalid(message, field="parts") from None
    return artifact


def _parse_upload_key(key: str) -> tuple[str, str, str] | None:
    parts = key.removeprefix(UPLOAD_PREFIX).split("/")
    if not key.startswith(UPLOAD_PREFIX) or len(parts) != 5:
        return None
    product, version, platform, _token, _filename = parts
    return product, version, platform


def _spool(key: str, file) -> tuple[int, dict[str, str]]:
    """Stream the stored object into `file`, hashing as it goes: SHA-256 (hex), SHA-512 (base64), SHA-1 (hex)."""
    body = aws.client("s3").get_object(Bucket=storage.bucket(), Key=key)["Body"]
    digests, size = {name: hashlib.new(name) for name in ("sha256", "sha512", "sha1")}, 0
    for chunk in body.iter_chunks(READ_CHUNK):
        for digest in digests.values():
            digest.update(chunk)
        size += len(chunk)
        file.write(chunk)
    return size, {
        "sha256": digests["sha256"].hexdigest(),
        "sha512": base64.b64encode(digests["sha512"].digest()).decode("ascii"),
        "sha1": digests["sha1"].hexdigest().upper(),
    }


def _mismatch(artifact: Artifact, size: int, hashes: dict[str, str]) -> str | None:
    """Why the stored file is not the declared one, or None."""
    if size != int(artifact.declared_size) or hashes["sha256"] != artifact.declared_sha256:
        return (
            f"The stored file ({size} bytes, SHA-256 {hashes['sha256']}) does not match the declared "
            f"{int(artifact.declared_size)} bytes, SHA-256 {artifact.declared_sha256}."
        )
    for name, label in (("sha512", "SHA-512"), ("sha1", "SHA-1")):
        declared = getattr(artifact, f"declared_{name}")
        if declared and declared != hashes[name]:
            return f"The stored file's {label} is {hashes[name]}, not the declared {declared}."
    return None


def _store_immutable(source: str, destination: str, filename: str) -> None:
    if storage.object_head(destination) is not None:
        return  # content-addressed: an object already there has these exact bytes
    storage.object_copy(
        source,
        destination,
        content_type="application/octet-stream",
        cache_control=IMMUTABLE,
        disposition=f'attachment; filename="{filename}"',
    )


def artifact_process(*, upload_key: str) -> str:
    """Verify an uploaded object against its declaration, sign it, copy it to its content address.

    Idempotent: a redelivered event for an artifact that is no longer pending, or for
    an upload that has since been replaced, changes nothing.
    """
    parsed = _parse_upload_key(upload_key)
    if parsed is None:
        return "ignored"
    product, version, platform = parsed
    if upload_key.endswith(BLOCKMAP_SUFFIX):
        return _blockmap_uploaded(product, version, platform, upload_key)
    try:
        artifact = Artifact.get(product, f"{SemVer.parse(version).sort_key}#{platform}", consistent_read=True)
    except (DoesNotExist, InvalidInput):
        return "ignored"
    if artifact.upload_key != upload_key or artifact.status != PENDING:
        return "ignored"
    if storage.object_head(upload_key) is None:
        return "ignored"
    with tempfile.NamedTemporaryFile(prefix="artifact-") as spooled:
        size, hashes = _spool(upload_key, spooled)
        sha256 = hashes["sha256"]
        reason = _mismatch(artifact, size, hashes)
        if reason:
            artifact.status = REJECTED
            artifact.rejection_reason = reason
        else:
            artifact.sha512, artifact.sha1 = hashes["sha512"], hashes["sha1"]
            artifact.signature = signing.sign_file(spooled)
            artifact.key = f"{ARTIFACT_PREFIX}{sha256}/{artifact.filename}"
            _store_immutable(upload_key, artifact.key, artifact.filename)
            artifact.status = READY
            artifact.size, artifact.sha256 = size, sha256
            artifact.ready_at = datetime.now(UTC)
    try:
        cache.save_with_bump(artifact, cache.product_scope(artifact.product))
    except TransactWriteError as error:
        if conditional_failed(error):
            return "ignored"  # replaced by a newer upload meanwhile; its own event will handle it
        raise
    storage.objects_delete([upload_key])
    if artifact.status == READY:
        blockmap_attach(artifact)  # uploaded before the file was verified
    return str(artifact.status)


def _blockmap_uploaded(product: str, version: str, platform: str, upload_key: str) -> str:
    """A blockmap arrived: attach it now if its artifact is ready, else the artifact's verification will."""
    try:
        artifact = Artifact.get(product, f"{SemVer.parse(version).sort_key}#{platform}", consistent_read=True)
    except (DoesNotExist, InvalidInput):
        return "ignored"
    if artifact.upload_key + BLOCKMAP_SUFFIX != upload_key:
        return "ignored"
    return "blockmap attached" if blockmap_attach(artifact) else "blockmap waiting"


def _shared_with_live_release(release: Release, keys: list[str]) -> set[str]:
    """The content addresses among `keys` that another release of the product, not yanked, also points at."""
    if not keys:
        return set()
    others = Artifact.query(release.product, filter_condition=Artifact.key.is_in(*keys))
    shared = set()
    for other in others:
        sort_key = other.artifact_key.rsplit("#", 1)[0]
        if sort_key == release.sort_key or other.key in shared:
            continue
        try:
            if Release.get(release.product, sort_key, consistent_read=True).status != YANKED:
                shared.add(other.key)
        except DoesNotExist:
            continue
    return shared


def artifacts_withdraw(*, release: Release) -> list[str]:
    """Move a yanked release's files from `artifacts/` to `yanked/`, so that no route serves them any more.

    Idempotent (a second call finds them moved); returns the keys withdrawn. The app's artifact and TUF
    target routes answer 410 for a withdrawn file. A file that another live release of the product
    shares byte for byte and by name stays where it is.
    """
    ready = [a for a in release_artifacts(release=release) if a.status == READY and a.key]
    shared = _shared_with_live_release(release, [a.key for a in ready])
    keys = [key for a in ready if a.key not in shared for key in (a.key, a.blockmap_key) if key]
    s3 = aws.client("s3")
    for key in keys:
        if storage.object_head(key) is None:
            continue  # withdrawn by an earlier attempt
        s3.copy_object(
            Bucket=storage.bucket(),
            Key=WITHDRAWN_PREFIX + key.removeprefix(ARTIFACT_PREFIX),
            CopySource={"Bucket": storage.bucket(), "Key": key},
            MetadataDirective="COPY",
        )
    storage.objects_delete(keys)
    return keys
