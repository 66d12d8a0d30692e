"""Reads of the update catalog; every one is a GetItem or a Query on a key or GSI (split by what they answer)."""

from __future__ import annotations

from updates.selectors.catalog import (
    APPCAST_SIZE,
    OFFER_PAGE_SIZE,
    TUF_RELEASES_PER_CHANNEL,
    UNIVERSAL_PLATFORM,
    artifact_get,
    cached_answer,
    catalog_changed,
    catalog_changed_in,
    channel_check,
    newest_on_channel,
    platform_check,
    product_get,
    products_list,
    published_on,
    release_artifacts,
    release_get,
    releases_list,
    releases_public,
)
from updates.selectors.offers import (
    Offer,
    appcast_entries,
    release_is_offered,
    release_offer,
    release_rollout_ladder,
    rollout_ladder_pick,
)
from updates.selectors.tuf import tuf_file_get, tuf_listed_targets, tuf_target_check, tuf_targets_source

__all__ = [
    "APPCAST_SIZE",
    "OFFER_PAGE_SIZE",
    "TUF_RELEASES_PER_CHANNEL",
    "UNIVERSAL_PLATFORM",
    "Offer",
    "appcast_entries",
    "artifact_get",
    "cached_answer",
    "catalog_changed",
    "catalog_changed_in",
    "channel_check",
    "newest_on_channel",
    "platform_check",
    "product_get",
    "products_list",
    "published_on",
    "release_artifacts",
    "release_get",
    "release_is_offered",
    "release_offer",
    "release_rollout_ladder",
    "releases_list",
    "releases_public",
    "rollout_ladder_pick",
    "tuf_file_get",
    "tuf_listed_targets",
    "tuf_target_check",
    "tuf_targets_source",
]
