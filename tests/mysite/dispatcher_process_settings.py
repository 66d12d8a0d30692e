"""Settings of a `manage.py dispatch_events` process that a test starts against its own stack.

The stack's ports, data folder and table prefix come from the test process's environment;
the welcome email's lease is short so that a crash is recovered within the test.
"""

from __future__ import annotations

from mysite.settings.local import *  # noqa: F403

WELCOME_EMAIL_LEASE_SECONDS = 1
# Sending takes as long as it does through SES, so that kills land between the claim and the send too.
EMAIL_BACKEND = "tests.mysite.slow_mail.SlowMailboxBackend"
