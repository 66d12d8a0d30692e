"""Every release's state history: each transition, by whom, recorded in its own transaction and shown in the admin."""

from __future__ import annotations

import re

import pytest

from updates import services
from updates.errors import InvalidTransition
from updates.ramp import release_history
from updates.selectors import release_get


def test_each_transition_is_recorded_in_order_and_shown_to_release_managers(browser_client, release_manager, catalog):
    product = catalog.product()
    manager = browser_client(release_manager)
    created = manager.post(
        f"/admin/updates/{product.slug}/",
        {"version": "1.0.0", "channel": "stable", "notes": "", "rollout": 30, "minimum_version": ""},
    )
    assert created.status_code == 302
    assert catalog.upload(product.slug, "1.0.0", "darwin-arm64", b"bytes " * 100) == "ready"
    for action in ("publish", "pause", "resume"):
        current = release_get(product=product.slug, version="1.0.0")
        done = manager.post(f"/admin/updates/{product.slug}/1.0.0/{action}/", {"expected_version": current.version})
        assert done.status_code == 302
    services.release_update(product=product.slug, version="1.0.0", rollout=60)  # no actor: a script
    services.release_yank(product=product.slug, version="1.0.0", actor="ops@example.com")

    history = release_history(product=product.slug, version="1.0.0")
    assert [(e.kind, e.status, int(e.rollout)) for e in history] == [
        ("created", "draft", 30),
        ("published", "published", 30),
        ("paused", "paused", 30),
        ("resumed", "published", 30),
        ("edited", "published", 60),
        ("yanked", "yanked", 60),
    ]
    assert [e.actor for e in history] == [release_manager.email] * 4 + ["release manager", "ops@example.com"]
    assert history[4].detail == "rollout 30% -> 60%"

    page = manager.get(f"/admin/updates/{product.slug}/1.0.0/").content.decode()
    shown = re.findall(r'<tr class="history-entry"><td>[^<]*</td><td>([a-z-]+)</td>', page)
    assert shown == ["created", "published", "paused", "resumed", "edited", "yanked"]


def test_a_refused_transition_leaves_no_history(catalog):
    product = catalog.product()
    catalog.release(product, "1.0.0", publish=False)
    with pytest.raises(InvalidTransition):
        services.release_pause(product=product.slug, version="1.0.0")  # a draft cannot be paused
    assert [e.kind for e in release_history(product=product.slug, version="1.0.0")] == ["created"]
