"""Domain errors of the update catalog; mysite.errors maps each to its HTTP status."""

from __future__ import annotations

from mysite.errors import Conflict, Gone, InvalidInput, NotFound, PayloadTooLarge, Unprocessable, VersionConflict
from updates.constants import MAX_BEACON_BYTES


class ProductNotFound(NotFound):
    code, message = "product_not_found", "No such product."


class ChannelNotFound(NotFound):
    code, message = "channel_not_found", "No such channel for this product."


class PlatformNotFound(NotFound):
    code, message = "platform_not_found", "No such platform."


class ReleaseNotFound(NotFound):
    code, message = "release_not_found", "No such release."


class ArtifactNotFound(NotFound):
    code, message = "artifact_not_found", "No such artifact."


class ArtifactWithdrawn(Gone):
    code, message = "artifact_withdrawn", "This file belonged to a release that was withdrawn."


class TufFileNotFound(NotFound):
    code, message = "not_found", "No such metadata file."


class ProductExists(Conflict):
    code, message = "product_exists", "A product with this slug already exists."


class ReleaseExists(Conflict):
    code, message = "release_exists", "This product already has a release with this version."


class StaleRelease(VersionConflict):
    """A write based on a stale version of a release; `current` is the release as it is now."""

    code, message = "version_conflict", "The release changed since you read it; reload and try again."


class RepositoryBusy(Conflict):
    code, message = "repository_busy", "The update repository is busy; try again."


class InvalidTransition(Conflict):
    code, message = "invalid_transition", "The release cannot make this change in its current status."


class VersionNotNewer(Unprocessable):
    code, message = "version_not_newer", "The version must be newer than every release published on its channel."


class ReleaseNotPublishable(Unprocessable):
    code, message = "not_publishable", "The release has no ready artifact to offer."


class ArtifactTooLarge(PayloadTooLarge):
    code, message = "artifact_too_large", "The artifact is larger than the largest allowed."


class UploadInvalid(InvalidInput):
    code, message = "upload_invalid", "The upload could not be completed."


class RampNotFound(NotFound):
    code, message = "ramp_not_found", "This release has no ramp schedule."


class RampRunning(Conflict):
    code, message = "ramp_running", "This release is already ramping; let it finish or halt first."


class InvalidVersion(InvalidInput):
    code = "invalid_version"


class BeaconTooLarge(PayloadTooLarge):
    code, message = "beacon_too_large", f"A beacon is at most {MAX_BEACON_BYTES} bytes."
