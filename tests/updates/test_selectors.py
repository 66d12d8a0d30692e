"""The offer rules of the update check, against DynamoDB Local."""

from __future__ import annotations

import functools

import pytest

from updates import services
from updates.errors import ChannelNotFound
from updates.selectors import release_offer
from updates.versions import SemVer


def offered(product, *, current="1.0.0", channel="stable", platform="darwin-arm64", bucket=0, os_version=None):
    offer = release_offer(
        product=product,
        channel=channel,
        platform=platform,
        current=SemVer.parse(current),
        bucket=bucket,
        os_version=os_version,
    )
    return offer.release.version_name if offer else None


def test_newest_published_release_is_offered_and_up_to_date_gets_nothing(catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    catalog.release(product, "1.2.0")
    catalog.release(product, "1.3.0", publish=False)  # a draft is never offered
    assert offered(product, current="1.0.0") == "1.2.0"
    assert offered(product, current="1.1.5") == "1.2.0"
    assert offered(product, current="1.2.0") is None
    assert offered(product, current="1.10.0") is None


def test_beta_clients_also_get_a_newer_stable_but_stable_clients_never_get_beta(catalog):
    product = catalog.product()
    catalog.release(product, "2.0.0-beta.1", channel="beta")
    assert offered(product, channel="beta") == "2.0.0-beta.1"
    assert offered(product, channel="stable") is None
    catalog.release(product, "2.0.0", channel="stable")
    assert offered(product, channel="beta") == "2.0.0"
    assert offered(product, channel="nightly") == "2.0.0"
    assert offered(product, channel="beta", current="2.0.0") is None


def test_unknown_channel_is_not_found(catalog):
    product = catalog.product()
    with pytest.raises(ChannelNotFound):
        offered(product, channel="canary")


def test_a_30_percent_rollout_reaches_exactly_buckets_0_to_29(catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    catalog.release(product, "1.2.0", rollout=30)
    offers = {bucket: offered(product, bucket=bucket) for bucket in range(100)}
    assert {b for b, v in offers.items() if v == "1.2.0"} == set(range(30))
    assert {b for b, v in offers.items() if v == "1.1.0"} == set(range(30, 100))
    services.release_update(product=product.slug, version="1.2.0", rollout=100)
    assert offered(product, bucket=99) == "1.2.0"


def test_paused_release_is_held_back_until_resumed_and_yanked_is_never_offered_again(catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    catalog.release(product, "1.2.0")
    services.release_pause(product=product.slug, version="1.2.0")
    assert offered(product) == "1.1.0"
    services.release_resume(product=product.slug, version="1.2.0")
    assert offered(product) == "1.2.0"
    services.release_yank(product=product.slug, version="1.2.0")
    assert offered(product) == "1.1.0"
    assert offered(product, current="1.1.0") is None


def test_minimum_os_version_of_the_artifact_is_respected(catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0", minimum_os_version="12.0")
    catalog.release(product, "1.2.0", minimum_os_version="14.0")
    assert offered(product, os_version=(13, 6, 0, 0)) == "1.1.0"
    assert offered(product, os_version=(14, 0, 0, 0)) == "1.2.0"
    assert offered(product, os_version=(11, 0, 0, 0)) is None


def test_minimum_version_makes_old_clients_step_through_an_earlier_release(catalog):
    product = catalog.product()
    catalog.release(product, "1.5.0")
    catalog.release(product, "2.0.0", minimum_version="1.5.0")
    assert offered(product, current="1.0.0") == "1.5.0"
    assert offered(product, current="1.5.0") == "2.0.0"


def test_a_platform_without_a_ready_artifact_is_skipped(catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0", platforms=("darwin-arm64", "windows-x64"))
    catalog.release(product, "1.2.0", platforms=("darwin-arm64",))
    assert offered(product, platform="windows-x64") == "1.1.0"
    assert offered(product, platform="linux-x64") is None


def test_the_cacheable_ladder_picked_with_any_bucket_and_os_gives_exactly_the_bucketed_offer(catalog):
    from updates.selectors import release_rollout_ladder, rollout_ladder_pick

    product = catalog.product()
    catalog.release(product, "1.1.0", minimum_os_version="11.0")
    catalog.release(product, "1.1.5", rollout=30)
    catalog.release(product, "1.2.0", rollout=50)
    catalog.release(product, "1.3.0", rollout=20, minimum_os_version="14.0")
    catalog.release(product, "1.4.0", rollout=10)
    catalog.release(product, "1.5.0", rollout=5, minimum_os_version="15.0")
    catalog.release(product, "1.6.0-beta.1", channel="beta", rollout=40)
    catalog.release(product, "1.7.0", rollout=0)  # published to nobody yet
    catalog.release(product, "1.8.0", minimum_version="1.6.0")

    @functools.cache
    def bucketed(channel: str, os_version: tuple | None, bucket: int) -> str | None:
        """The bucketed check's answer (the step check below asks again for buckets already asked)."""
        return offered(product, channel=channel, bucket=bucket, os_version=os_version)

    for channel in ("stable", "beta"):
        ladder = release_rollout_ladder(
            product=product, channel=channel, platform="darwin-arm64", current=SemVer.parse("1.0.0")
        )
        for os_version in (None, (10, 0, 0, 0), (11, 0, 0, 0), (14, 2, 0, 0), (15, 0, 0, 0)):
            for bucket in range(100):
                picked = rollout_ladder_pick(ladder, bucket=bucket, os_version=os_version)
                where = (channel, os_version, bucket)
                assert (picked.release.version_name if picked else None) == bucketed(*where), where
                if picked is not None:
                    # The documented step bucket (what an electron app may send instead of its own) agrees.
                    before = ladder[: ladder.index(picked)]
                    runs = [o for o in before if rollout_ladder_pick([o], bucket=0, os_version=os_version)]
                    step = max((int(o.release.rollout) for o in runs), default=0)  # of offers its OS can run
                    assert bucketed(channel, os_version, step) == picked.release.version_name, (*where, step)
    stable = release_rollout_ladder(
        product=product, channel="stable", platform="darwin-arm64", current=SemVer.parse("1.0.0")
    )
    # 1.1.5 (30%) is left out: 1.2.0 (50%, any OS) reaches everyone it would; 1.1.0 stays for buckets 50 and up.
    assert [o.release.version_name for o in stable] == ["1.5.0", "1.4.0", "1.3.0", "1.2.0", "1.1.0"]
    assert [
        o.release.version_name
        for o in release_rollout_ladder(
            product=product, channel="stable", platform="darwin-arm64", current=SemVer.parse("1.6.0")
        )
    ] == ["1.8.0"]
