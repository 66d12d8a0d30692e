"""The blog's newsletter on SES: double opt-in, one-click unsubscribe, an outbox per post, suppression."""
