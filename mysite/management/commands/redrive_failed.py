"""List the dead letters of the event handlers, show one, and replay them after a fix."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from mysite.invocations import dead_letter_get, dead_letter_list, dead_letter_redrive
from mysite.models import DeadLetter


def _age(letter: DeadLetter) -> str:
    seconds = int((datetime.now(UTC) - letter.failed_at).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _first_line(text: str, width: int = 70) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


class Command(BaseCommand):
    help = (
        "Without arguments, list the dead letters (id, function, error, age). "
        "With ids or --all, replay them through the same handler: a success deletes the dead letter, "
        "a failure keeps it with the new error."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", help="Dead letters to replay.")
        parser.add_argument("--all", action="store_true", help="Replay every dead letter, oldest first.")
        parser.add_argument("--show", metavar="ID", help="Print one dead letter: its error and its event.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be replayed; replay nothing.")

    def handle(self, *args, ids: list[str], all: bool = False, show: str | None = None, dry_run: bool = False, **opts):
        if show:
            self._show(show)
            return
        if not ids and not all:
            self._list()
            return
        if ids and all:
            raise CommandError("Give ids or --all, not both.")
        letters = dead_letter_list() if all else [self._get(letter_id) for letter_id in ids]
        failed = 0
        for letter in letters:
            if dry_run:
                self.stdout.write(f"Would replay {letter.id} through {letter.function}.")
                continue
            error = dead_letter_redrive(letter=letter)
            if error is None:
                self.stdout.write(self.style.SUCCESS(f"{letter.id} replayed; its dead letter is deleted."))
            else:
                failed += 1
                self.stdout.write(self.style.ERROR(f"{letter.id} failed again and is kept: {_first_line(error)}"))
        if failed:
            raise CommandError(f"{failed} of {len(letters)} dead letter(s) failed again.")

    def _get(self, letter_id: str) -> DeadLetter:
        letter = dead_letter_get(letter_id=letter_id)
        if letter is None:
            raise CommandError(f"No dead letter {letter_id!r}; `manage.py redrive_failed` lists them.")
        return letter

    def _list(self) -> None:
        letters = dead_letter_list()
        if not letters:
            self.stdout.write("No dead letters.")
            return
        self.stdout.write(f"{'id':<20}  {'function':<40}  {'age':>4}  {'tries':>5}  error")
        for letter in letters:
            tries = int(letter.attempts) + int(letter.redrive_attempts)
            self.stdout.write(
                f"{letter.id:<20}  {letter.function:<40}  {_age(letter):>4}  {tries:>5}  {_first_line(letter.error)}"
            )

    def _show(self, letter_id: str) -> None:
        letter = self._get(letter_id)
        self.stdout.write(f"id:        {letter.id}")
        self.stdout.write(f"function:  {letter.function}")
        self.stdout.write(f"source:    {letter.source}")
        self.stdout.write(f"failed at: {letter.failed_at.isoformat()} ({_age(letter)} ago)")
        self.stdout.write(f"attempts:  {int(letter.attempts)} delivered, {int(letter.redrive_attempts)} redriven")
        self.stdout.write(f"error:     {letter.error}")
        self.stdout.write("event:")
        self.stdout.write(json.dumps(json.loads(letter.event), indent=2))
