"""Ramp schedules driven by the schedule event: 1,000 simulated clients, a ramp that halts itself or completes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mysite.event_sources import ScheduleSource
from mysite.mail import mailbox_messages
from updates import ramp
from updates.events import EVENT_SOURCES
from updates.selectors import release_get, tuf_listed_targets

INTERVAL = 3600
STEPS = [1, 5, 25, 100]
CLIENTS = 1000
BUCKETS = 100
TICK = next(s for s in EVENT_SOURCES if isinstance(s, ScheduleSource) and s.function.endswith("ramp_tick_handler"))


@pytest.fixture
def manager(bearer_client, release_manager):
    return bearer_client(release_manager)


def bucket_of(client: int) -> int:
    return client % BUCKETS  # ten clients in each bucket


def fails_ten_percent_after_step_one(client: int) -> bool:
    """One client of every bucket but 0 fails: nothing at 1%, 4 of the 40 newcomers at 5%, 10% from then on."""
    return client // 100 == 0 and bucket_of(client) >= 1


def fails_one_percent(client: int) -> bool:
    """Ten clients, spread over buckets 5, 15 ... 95: 1% of all."""
    return client // 100 == 0 and bucket_of(client) % 10 == 5


class Fleet:
    """1,000 installs of 1.0.0 that check over HTTP, install what they are offered and send beacons.

    A check's answer depends on the bucket alone: the ten clients of a bucket send the same URL (what a CDN
    would answer from one cached copy), so a round asks once for each bucket still on 1.0.0, and every
    client of an offered bucket installs it and sends its own beacon from its own address.
    """

    def __init__(self, client, product: str, fails):
        self.client, self.product, self.fails = client, product, fails
        self.updated: dict[int, int] = {}  # client -> the rollout the release had when it got it

    def round(self, rollout: int) -> int:
        """Every bucket still on 1.0.0 checks; returns how many clients got 1.1.0 this round."""
        got = 0
        for bucket in range(BUCKETS):
            clients = [n for n in range(bucket, CLIENTS, BUCKETS) if n not in self.updated]
            if not clients:
                continue
            answer = self.client.get(f"/api/updates/{self.product}/stable/linux-x64/1.0.0?bucket={bucket}")
            if answer.status_code == 204:
                continue
            assert answer.status_code == 200, answer.content
            assert answer.json()["version"] == "1.1.0"
            for n in clients:
                self.updated[n] = rollout
                got += 1
                address = f"10.{n // 250}.{n % 250}.7"
                outcome = "failed" if self.fails(n) else "installed"
                beacon = {"product": self.product, "version": "1.1.0", "platform": "linux-x64", "outcome": outcome}
                sent = self.client.post("/api/updates/beacons", beacon, format="json", REMOTE_ADDR=address)
                assert sent.status_code == 204, sent.content
        return got


def run_ramp(*, catalog, manager, api_client, dispatcher, fails) -> tuple[str, Fleet, list[int]]:
    product = catalog.product()
    catalog.release(product, "1.0.0", platforms=("linux-x64",))
    catalog.release(product, "1.1.0", platforms=("linux-x64",), rollout=0)
    started = datetime.now(UTC)
    response = manager.post(
        f"/api/updates/products/{product.slug}/releases/1.1.0/ramp/",
        {"steps": STEPS, "interval_seconds": INTERVAL, "failure_threshold": 0.05, "minimum_sample": 10},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["state"], response.json()["step"]) == ("ramping", 0)
    fleet = Fleet(api_client, product.slug, fails)
    rollouts = []
    for step in range(1, len(STEPS) + 2):
        rollout = int(release_get(product=product.slug, version="1.1.0").rollout)
        rollouts.append(rollout)
        fleet.round(rollout)
        tick = started + timedelta(seconds=step * INTERVAL + 30)
        dispatcher.run_schedules([TICK], now=tick.timestamp(), force=True)
        if ramp.ramp_get(product=product.slug, version="1.1.0").state != ramp.RAMPING:
            break
    final = int(release_get(product=product.slug, version="1.1.0").rollout)
    rollouts.append(final)
    fleet.round(final)  # after the ramp stopped: a halted release reaches nobody new
    return product.slug, fleet, rollouts


def test_ten_percent_failing_after_step_one_halts_at_five_percent_and_mails_the_release_managers(
    catalog, manager, api_client, dispatcher, release_manager
):
    slug, fleet, rollouts = run_ramp(
        catalog=catalog,
        manager=manager,
        api_client=api_client,
        dispatcher=dispatcher,
        fails=fails_ten_percent_after_step_one,
    )
    assert rollouts == [1, 5, 5]
    state = ramp.ramp_get(product=slug, version="1.1.0")
    assert (state.state, int(state.step_index)) == (ramp.HALTED, 1)
    release = release_get(product=slug, version="1.1.0")
    assert (release.status, int(release.rollout)) == ("paused", 5)
    # Exactly the buckets of the steps reached got it: 0 at 1%, 0-4 at 5%, and nobody after the halt.
    assert sorted({bucket_of(n) for n in fleet.updated}) == [0, 1, 2, 3, 4]
    assert len(fleet.updated) == 50
    assert sorted(n for n, rollout in fleet.updated.items() if rollout == 1) == list(range(0, CLIENTS, 100))
    mail = [m for m in mailbox_messages(to=release_manager.email) if slug in m.subject]
    assert [m.subject for m in mail] == [f"Rollout of {slug} 1.1.0 halted"]
    assert "4 of 50 reports failed (8.0%)" in mail[0].body
    history = ramp.release_history(product=slug, version="1.1.0")
    # The ramp's own entries (the release's history also holds its creation and publication).
    assert [(e.kind, int(e.rollout), e.status) for e in history if e.kind.startswith("ramp-")] == [
        ("ramp-started", 1, "published"),
        ("ramp-advanced", 5, "published"),
        ("ramp-halted", 5, "paused"),
    ]
    # The halt is what every protocol answers: the electron check and the cacheable ladder no longer offer it.
    assert api_client.get(f"/update/{slug}/linux-x64/1.0.0?bucket=0").status_code == 204
    assert api_client.get(f"/api/updates/{slug}/stable/linux-x64/1.0.0/rollout").json() == {"offers": []}
    assert not [path for path in tuf_listed_targets(product=slug) if "/1.1.0/" in path]  # left the TUF targets


def test_one_percent_failing_completes_the_ramp_and_reaches_everyone(catalog, manager, api_client, dispatcher):
    slug, fleet, rollouts = run_ramp(
        catalog=catalog, manager=manager, api_client=api_client, dispatcher=dispatcher, fails=fails_one_percent
    )
    assert rollouts == STEPS
    state = ramp.ramp_get(product=slug, version="1.1.0")
    assert (state.state, int(state.step_index)) == (ramp.COMPLETE, 3)
    assert (release_get(product=slug, version="1.1.0").status, len(fleet.updated)) == ("published", CLIENTS)
    # Each client got it at the first step whose rollout was above its bucket.
    assert all(rollout == next(s for s in STEPS if s > bucket_of(n)) for n, rollout in fleet.updated.items())
    body = manager.get(f"/api/updates/products/{slug}/releases/1.1.0/ramp/").json()
    assert [(e["kind"], e["rollout"]) for e in body["history"] if e["kind"].startswith("ramp-")] == [
        ("ramp-started", 1),
        ("ramp-advanced", 5),
        ("ramp-advanced", 25),
        ("ramp-advanced", 100),
        ("ramp-completed", 100),
    ]
    assert body["history"][-2]["detail"] == "To 100%: 0.8% failures in 250 reports (threshold 5.0%)."


def test_a_ramp_waits_for_its_minimum_sample_and_a_resume_counts_failures_afresh(catalog, manager, dispatcher):
    product = catalog.product()
    catalog.release(product, "1.0.0", platforms=("linux-x64",))
    catalog.release(product, "1.1.0", platforms=("linux-x64",), rollout=0)
    now = datetime.now(UTC)
    ramp.ramp_start(
        product=product.slug, version="1.1.0", steps=[10, 100], interval_seconds=600,
        failure_threshold=0.2, minimum_sample=5, actor="rita@example.com", now=now,
    )  # fmt: skip
    later = now + timedelta(seconds=700)
    assert ramp.ramp_tick(now=later)[f"{product.slug} 1.1.0"] == "waiting"  # no reports yet: no step
    from updates.beacons import beacon_record

    for outcome in ["failed"] * 3 + ["installed"] * 2:
        beacon_record(product=product.slug, version="1.1.0", platform="linux-x64", outcome=outcome)
    assert ramp.ramp_tick(now=later + timedelta(seconds=61))[f"{product.slug} 1.1.0"] == "halted"
    assert release_get(product=product.slug, version="1.1.0").status == "paused"
    resumed = manager.post(f"/api/updates/products/{product.slug}/releases/1.1.0/ramp/resume/", {}, format="json")
    assert resumed.status_code == 200
    # The earlier failures stay in the figures but no longer in the rule: five good reports take the next step.
    for _ in range(5):
        beacon_record(product=product.slug, version="1.1.0", platform="linux-x64", outcome="installed")
    resumed_at = datetime.fromisoformat(resumed.json()["history"][-1]["at"])
    assert ramp.ramp_tick(now=resumed_at + timedelta(seconds=601))[f"{product.slug} 1.1.0"] == "completed"
    assert int(release_get(product=product.slug, version="1.1.0").rollout) == 100


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"steps": [5, 1, 100]}, "steps"),
        ({"steps": [1, 50]}, "steps"),
        ({"interval_seconds": 5}, "interval_seconds"),
        ({"failure_threshold": 1.5}, "failure_threshold"),
        ({"minimum_sample": 0}, "minimum_sample"),
    ],
)
def test_bad_ramp_schedules_are_400_and_change_nothing(catalog, manager, change, field):
    product = catalog.product()
    catalog.release(product, "1.0.0", platforms=("linux-x64",), rollout=0)
    body = {"steps": STEPS, "interval_seconds": INTERVAL, "failure_threshold": 0.05, "minimum_sample": 10, **change}
    response = manager.post(f"/api/updates/products/{product.slug}/releases/1.0.0/ramp/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert int(release_get(product=product.slug, version="1.0.0").rollout) == 0
    assert manager.get(f"/api/updates/products/{product.slug}/releases/1.0.0/ramp/").status_code == 404
