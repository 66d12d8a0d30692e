"""The local mailbox: each sent email is a file that the dev mailbox page lists."""

from __future__ import annotations

import email
import email.policy
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class MailboxBackend(BaseEmailBackend):
    """EMAIL_BACKEND for local development: one .eml file per message in LOCAL_MAILBOX_DIR."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            write_mail(Path(settings.LOCAL_MAILBOX_DIR), message.message().as_bytes())
        return len(email_messages)


def write_mail(mailbox_dir: Path, raw: bytes) -> Path:
    """Store one message as its own .eml file, atomically (the name is unique per process and thread)."""
    mailbox_dir.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{os.getpid()}-{threading.get_ident()}.eml"
    tmp = mailbox_dir / f".{name}.tmp"
    tmp.write_bytes(raw)
    return tmp.replace(mailbox_dir / name)


@dataclass
class MailboxMessage:
    id: str
    to: str
    subject: str
    sent_at: datetime
    body: str


def mailbox_messages(*, to: str | None = None) -> list[MailboxMessage]:
    """The messages in the local mailbox, newest first, optionally only those sent to `to`."""
    folder = Path(settings.LOCAL_MAILBOX_DIR)
    if not folder.exists():
        return []
    messages = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to and to.lower() not in str(parsed["To"]).lower():
            continue
        body = parsed.get_body(preferencelist=("plain", "html"))
        messages.append(
            MailboxMessage(
                id=path.stem,
                to=str(parsed["To"]),
                subject=str(parsed["Subject"]),
                sent_at=datetime.fromtimestamp(int(path.stem.split("-")[0]) / 1e9, tz=UTC),
                body=body.get_content() if body else "",
            )
        )
    return messages
