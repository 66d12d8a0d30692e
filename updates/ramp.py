"""Ramp schedules: a release's rollout widens step by step while its failure rate stays low, and halts itself.

A ramp holds rollout steps (e.g. 1 → 5 → 25 → 100 %), the interval between them, a failure
threshold and a minimum sample. The schedule (`updates.events.ramp_tick_handler`, every minute)
looks at each running ramp that is due (GSI `by-next-check`, sparse: only running ramps are in it):

- failures (failed + rolled back) / reports since the ramp started or resumed >= threshold, with
  at least `minimum_sample` reports: **halt** — the release is paused (offered to nobody new, left
  out of the TUF targets) and the release managers get an email;
- the step's interval has passed and the sample is big enough: **advance** to the next step
  (the last one completes the ramp);
- otherwise nothing changes and the ramp is looked at again on the next tick.

Every transition saves the release, the ramp, a history entry, the re-signed TUF metadata and the
product's cache stamp in one transaction (`_commit_with_tuf`), so all four protocols see it at once,
and a redelivered tick finds the ramp moved on (its VersionAttribute) and changes nothing twice.
"""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.transactions import TransactWrite

from mysite import cognito
from mysite.errors import Conflict, InvalidInput
from updates.beacons import release_outcome_counts
from updates.constants import PAUSED, PUBLISHED, YANKED
from updates.errors import InvalidTransition, RampNotFound, RampRunning
from updates.models import Release, ReleaseHistoryEntry, ReleaseRamp
from updates.selectors import release_get
from updates.services.products import conditional_failed
from updates.services.releases import _commit_with_tuf, client_paths_invalidate, history_entry

logger = logging.getLogger(__name__)

RAMPING, HALTED, COMPLETE = "ramping", "halted", "complete"
ACTIVE = "ramp"
CHECK_SECONDS = 60  # the schedule's rate: a running ramp is looked at at least this often
DUE_PER_TICK = 100  # ramps evaluated per tick; the rest are next (bounded work per invocation)
MAX_NOTIFIED = 200  # release managers mailed about a halt
RELEASE_MANAGERS = "release-managers"


def _commit(release: Release, ramp: ReleaseRamp, entries: list[ReleaseHistoryEntry]) -> None:
    def also(transaction: TransactWrite) -> None:
        transaction.save(ramp)
        for entry in entries:
            transaction.save(entry)

    _commit_with_tuf(release, also=also)
    client_paths_invalidate(product=release.product)


def _check_steps(steps: list[int]) -> list[int]:
    if not 1 <= len(steps) <= 10:
        raise InvalidInput("Give between 1 and 10 steps.", field="steps")
    if any(not isinstance(s, int) or isinstance(s, bool) or not 1 <= s <= 100 for s in steps):
        raise InvalidInput("Each step is a percentage from 1 to 100.", field="steps")
    if any(b <= a for a, b in itertools.pairwise(steps)):
        raise InvalidInput("Steps must increase.", field="steps")
    if steps[-1] != 100:
        raise InvalidInput("The last step is 100: a ramp ends with everyone.", field="steps")
    return steps


def _check_rules(*, interval_seconds: int, failure_threshold: float, minimum_sample: int) -> None:
    if not 60 <= interval_seconds <= 30 * 86400:
        raise InvalidInput("The interval is from 60 seconds to 30 days.", field="interval_seconds")
    if not 0 < failure_threshold < 1:
        raise InvalidInput("The threshold is a share between 0 and 1 (0.05 = 5%).", field="failure_threshold")
    if not 1 <= minimum_sample <= 1_000_000:
        raise InvalidInput("The minimum sample is from 1 to 1,000,000 reports.", field="minimum_sample")


def ramp_get(*, product: str, version: str) -> ReleaseRamp:
    release = release_get(product=product, version=version)
    try:
        return ReleaseRamp.get(product, release.sort_key, consistent_read=True)
    except DoesNotExist:
        raise RampNotFound() from None


def ramp_start(
    *,
    product: str,
    version: str,
    steps: list[int],
    interval_seconds: int,
    failure_threshold: float,
    minimum_sample: int,
    actor: str,
    now: datetime | None = None,
) -> ReleaseRamp:
    """Put a published release on a ramp: its rollout becomes the first step at once."""
    now = now or datetime.now(UTC)
    steps = _check_steps(list(steps))
    _check_rules(interval_seconds=interval_seconds, failure_threshold=failure_threshold, minimum_sample=minimum_sample)
    release = release_get(product=product, version=version)
    if release.status != PUBLISHED:
        raise InvalidTransition(f"Only a published release can ramp; this one is {release.status}.")
    try:
        ramp = ReleaseRamp.get(product, release.sort_key, consistent_read=True)
    except DoesNotExist:
        ramp = ReleaseRamp(product, release.sort_key)
    if ramp.version is not None and ramp.state == RAMPING:
        raise RampRunning()
    counts = release_outcome_counts(product=product, sort_key=release.sort_key)
    ramp.version_name = release.version_name
    ramp.steps, ramp.step_index = steps, 0
    ramp.interval_seconds, ramp.failure_threshold, ramp.minimum_sample = (
        interval_seconds,
        failure_threshold,
        minimum_sample,
    )
    ramp.baseline_reports, ramp.baseline_failures = counts.reports, counts.failures
    ramp.state, ramp.active, ramp.started_at = RAMPING, ACTIVE, now
    _schedule(ramp, now=now, step_started=True)
    release.rollout = steps[0]
    detail = f"Steps {' → '.join(f'{s}%' for s in steps)} every {interval_seconds} s; halts at {failure_threshold:.1%}"
    detail += f" failures with at least {minimum_sample} reports."
    _commit(release, ramp, [history_entry(release, kind="ramp-started", detail=detail, actor=actor, now=now)])
    return ramp


def _schedule(ramp: ReleaseRamp, *, now: datetime, step_started: bool) -> None:
    if step_started:
        ramp.next_step_at = now + timedelta(seconds=int(ramp.interval_seconds))
    ramp.next_check_at = min(ramp.next_step_at, now + timedelta(seconds=CHECK_SECONDS))


def ramp_resume(*, product: str, version: str, actor: str, now: datetime | None = None) -> ReleaseRamp:
    """Offer a halted release again and carry on ramping; failures are counted afresh from here."""
    now = now or datetime.now(UTC)
    ramp = ramp_get(product=product, version=version)
    release = release_get(product=product, version=version)
    if ramp.state != HALTED or release.status != PAUSED:
        raise InvalidTransition("Only a halted ramp whose release is paused can be resumed.")
    counts = release_outcome_counts(product=product, sort_key=release.sort_key)
    ramp.baseline_reports, ramp.baseline_failures = counts.reports, counts.failures
    ramp.state, ramp.active = RAMPING, ACTIVE
    _schedule(ramp, now=now, step_started=True)
    release.status = PUBLISHED
    entry = history_entry(release, kind="ramp-resumed", detail="Resumed by a release manager.", actor=actor, now=now)
    _commit(release, ramp, [entry])
    return ramp


def ramp_tick(*, now: datetime) -> dict[str, str]:
    """Evaluate every running ramp that is due; returns what happened to each (`<product> <version>`: outcome)."""
    due = ReleaseRamp.by_next_check.query(ACTIVE, ReleaseRamp.next_check_at <= now, limit=DUE_PER_TICK)
    results = {}
    for ramp in due:
        try:
            results[f"{ramp.product} {ramp.version_name}"] = ramp_evaluate(ramp=ramp, now=now)
        except Conflict:
            results[f"{ramp.product} {ramp.version_name}"] = "moved-on"  # another tick or a manager got there first
    return results


def _percent(value: float) -> str:
    return f"{value:.1%}"


def ramp_evaluate(*, ramp: ReleaseRamp, now: datetime) -> str:
    """Halt, advance or wait, by the rule in the module docstring; returns which."""
    ramp = ReleaseRamp.get(ramp.product, ramp.sort_key, consistent_read=True)  # the index may lag
    if ramp.state != RAMPING or ramp.next_check_at is None or ramp.next_check_at > now:
        return "not-due"
    release = release_get(product=ramp.product, version=ramp.version_name)
    if release.status == YANKED:
        ramp.state, ramp.active, ramp.next_check_at = HALTED, None, None
        _save_ramp(ramp)
        return "yanked"
    if release.status != PUBLISHED:  # paused by hand: wait for the manager
        _schedule(ramp, now=now, step_started=False)
        _save_ramp(ramp)
        return "waiting"
    counts = release_outcome_counts(product=ramp.product, sort_key=ramp.sort_key)
    reports = counts.reports - int(ramp.baseline_reports)
    failures = counts.failures - int(ramp.baseline_failures)
    sample_met = reports >= int(ramp.minimum_sample)
    rate = failures / reports if reports else 0.0
    if sample_met and rate >= float(ramp.failure_threshold):
        return _halt(ramp, release, reports=reports, failures=failures, now=now)
    if now < ramp.next_step_at or not sample_met:
        _schedule(ramp, now=now, step_started=False)
        _save_ramp(ramp)
        return "waiting"
    ramp.step_index = int(ramp.step_index) + 1
    release.rollout = int(ramp.steps[int(ramp.step_index)])
    figures = f"{_percent(rate)} failures in {reports} reports (threshold {_percent(float(ramp.failure_threshold))})."
    advanced = f"To {int(release.rollout)}%: {figures}"
    entries = [history_entry(release, kind="ramp-advanced", detail=advanced, actor="schedule", now=now)]
    if int(ramp.step_index) == len(ramp.steps) - 1:
        ramp.state, ramp.active, ramp.next_check_at = COMPLETE, None, None
        done = "Everyone is offered it."
        entries.append(history_entry(release, kind="ramp-completed", detail=done, actor="schedule", now=now, order=1))
    else:
        _schedule(ramp, now=now, step_started=True)
    _commit(release, ramp, entries)
    return "completed" if ramp.state == COMPLETE else "advanced"


def _save_ramp(ramp: ReleaseRamp) -> None:
    try:
        ramp.save()
    except PutError as error:
        if conditional_failed(error):
            raise Conflict() from None
        raise


def _halt(ramp: ReleaseRamp, release: Release, *, reports: int, failures: int, now: datetime) -> str:
    rate = failures / reports
    ramp.state, ramp.active, ramp.next_check_at = HALTED, None, None
    release.status = PAUSED
    detail = (
        f"Halted at {int(release.rollout)}%: {failures} of {reports} reports failed ({_percent(rate)}), "
        f"at or above the threshold {_percent(float(ramp.failure_threshold))}. The release is paused."
    )
    _commit(release, ramp, [history_entry(release, kind="ramp-halted", detail=detail, actor="schedule", now=now)])
    release_managers_notify(subject=f"Rollout of {release.product} {release.version_name} halted", body=detail)
    return "halted"


def release_manager_emails(*, limit: int = MAX_NOTIFIED) -> list[str]:
    """The email addresses in the `release-managers` group of the user pool (paged, at most `limit`)."""
    emails: list[str] = []
    token = None
    while len(emails) < limit:
        params = {"UserPoolId": settings.COGNITO_USER_POOL_ID, "GroupName": RELEASE_MANAGERS, "Limit": 60}
        if token:
            params["NextToken"] = token
        page = cognito.call("list_users_in_group", **params)
        for user in page.get("Users", []):
            email = next((a["Value"] for a in user.get("Attributes", []) if a["Name"] == "email"), None)
            if email:
                emails.append(email)
        token = page.get("NextToken")
        if not token:
            break
    return emails[:limit]


def release_managers_notify(*, subject: str, body: str) -> int:
    """One email to each release manager (separate messages: no one sees the others' addresses)."""
    try:
        recipients = release_manager_emails()
    except cognito.CognitoError:
        logger.exception("Could not list the release managers to tell them: %s", subject)
        return 0
    messages = [EmailMessage(subject=subject, body=body, to=[email]) for email in recipients]
    return get_connection().send_messages(messages) or 0


def release_history(*, product: str, version: str, limit: int = 100) -> list[ReleaseHistoryEntry]:
    """The release's recorded transitions, oldest first (one Query)."""
    release = release_get(product=product, version=version)
    return list(ReleaseHistoryEntry.query(f"{product}#{release.sort_key}", limit=limit, consistent_read=True))
