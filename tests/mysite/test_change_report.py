"""The ok / would / applying report of the idempotent deploy commands."""

from __future__ import annotations

import io

from django.core.management.base import BaseCommand

from mysite.management.report import ChangeReport


def _report(*, dry_run: bool) -> tuple[ChangeReport, io.StringIO, list[str]]:
    out = io.StringIO()
    command = BaseCommand(stdout=out, no_color=True)
    return ChangeReport(command, dry_run=dry_run), out, []


def test_a_run_applies_each_change_and_counts_them():
    report, out, applied = _report(dry_run=False)
    report.ok("table a")
    assert report.change("create table b", lambda: applied.append("b") or "done") == "done"
    report.summary(unchanged="No changes.")
    assert applied == ["b"]
    assert out.getvalue().splitlines() == ["  ok       table a", "  applying create table b", "1 change(s) applied."]


def test_a_dry_run_applies_nothing():
    report, out, applied = _report(dry_run=True)
    assert report.change("create table b", lambda: applied.append("b")) is None
    report.summary(unchanged="No changes.")
    assert applied == []
    assert out.getvalue().splitlines() == [
        "  would    create table b",
        "1 change(s) planned; nothing was changed (--dry-run).",
    ]


def test_nothing_to_do_says_so():
    report, out, _ = _report(dry_run=False)
    report.ok("table a")
    report.summary(unchanged="No changes: everything is already provisioned.", applied="never shown")
    assert out.getvalue().splitlines()[-1] == "No changes: everything is already provisioned."
