"""The report every idempotent deploy command prints: `ok`, `would` (dry run) or `applying`, then a summary."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import BaseCommand


class ChangeReport:
    """Counts and prints the changes of one run of an idempotent command; applies them unless a dry run."""

    def __init__(self, command: BaseCommand, *, dry_run: bool):
        self.command = command
        self.dry_run = dry_run
        self.changed = 0

    def line(self, label: str, what: str) -> None:
        """One aligned line: `  <label>  <what>`."""
        self.command.stdout.write(f"  {label:<8} {what}")

    def ok(self, what: str) -> None:
        self.line("ok", what)

    def change(self, what: str, apply: Callable[[], object]):
        """Count a change; print `would` in a dry run (returning None), else `applying` and apply it."""
        self.changed += 1
        if self.dry_run:
            self.line("would", what)
            return None
        self.line("applying", what)
        return apply()

    def summary(self, *, unchanged: str, applied: str | None = None, planned: str | None = None) -> None:
        """The last line: `unchanged` when nothing was to do, else how many changes were planned or applied."""
        style = self.command.style
        if self.changed == 0:
            self.command.stdout.write(style.SUCCESS(unchanged))
        elif self.dry_run:
            self.command.stdout.write(
                style.WARNING(planned or f"{self.changed} change(s) planned; nothing was changed (--dry-run).")
            )
        else:
            self.command.stdout.write(style.SUCCESS(applied or f"{self.changed} change(s) applied."))
