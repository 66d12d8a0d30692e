"""A local mailbox that takes as long as a real SES call, so that a kill can land mid-send."""

from __future__ import annotations

import time

from mysite.mail import MailboxBackend

SEND_SECONDS = 0.25  # about one SendRawEmail round trip


class SlowMailboxBackend(MailboxBackend):
    """MailboxBackend after a pause: the message is written only once the 'call' has returned."""

    def send_messages(self, email_messages) -> int:
        time.sleep(SEND_SECONDS)
        return super().send_messages(email_messages)
