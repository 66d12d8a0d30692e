"""Deploy commands run against moto: an AWS account in memory (never the app's data path)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.moto_aws import on_aws


@pytest.fixture
def aws_account(settings, monkeypatch):
    """Settings pointed at AWS (moto) instead of the emulators, for the duration of a test."""
    with on_aws(settings, monkeypatch, bucket="mysite-production-site", pool_name="mysite-production"):
        yield settings


@pytest.fixture(autouse=True)
def _moto_keeps_origin_access_control(monkeypatch):
    """moto 5.2 drops an origin's OriginAccessControlId; real CloudFront keeps it, and the commands compare it."""
    from moto.cloudfront import models

    original = models.Origin.__init__

    def init(self, origin):
        original(self, origin)
        self.origin_access_control_id = origin.get("OriginAccessControlId", "")

    monkeypatch.setattr(models.Origin, "__init__", init)


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()
