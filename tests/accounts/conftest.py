"""Fixtures of the account tests."""

from __future__ import annotations

import copy

import pytest


@pytest.fixture
def limit(settings):
    """Set one throttling limit for the test, keeping the suite's generous others (the suite shares 127.0.0.1)."""
    throttles = copy.deepcopy(settings.ACCOUNT_THROTTLES)

    def set_limit(action: str, scope: str, attempts: int, period_seconds: int = 900) -> None:
        throttles.setdefault(action, {})[scope] = (attempts, period_seconds)
        settings.ACCOUNT_THROTTLES = throttles

    return set_limit
