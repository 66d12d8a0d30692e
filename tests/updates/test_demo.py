from __future__ import annotations

import io

from updates import demo
from updates.selectors import product_get, release_offer
from updates.versions import SemVer


def test_demo_seed_publishes_offerable_releases_once():
    demo.seed(stdout=io.StringIO())
    out = io.StringIO()
    demo.seed(stdout=out)  # a second run finds the product and leaves it alone
    assert out.getvalue() == ""
    product = product_get(slug="desk-clock")
    offer = release_offer(
        product=product, channel="beta", platform="linux-x64", current=SemVer.parse("1.0.0"), bucket=10
    )
    assert offer.release.version_name == "1.2.0-beta.1"
    assert offer.artifact.status == "ready"
