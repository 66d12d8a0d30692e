"""Demo content for a new local stack: a few lists and tasks for the demo reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accounts.services import profile_ensure_for
from todos import services

DEMO_USER = "reader@example.com"


def seed(*, stdout) -> None:
    """Give the demo reader an Inbox with a few tasks, a Work list, labels, a subtask and a recurring task."""
    owner = profile_ensure_for(email=DEMO_USER).sub
    today = datetime.now(UTC).date()
    services.task_create(owner=owner, title="Try double-clicking a task to rename it")
    groceries = services.task_create(owner=owner, title="Buy groceries", labels=["errands"], due_date=today)
    services.task_create(owner=owner, title="Oat milk", parent_id=groceries.task_id)
    services.task_create(
        owner=owner,
        title="Water the plants",
        due_date=today - timedelta(days=1),
        recurrence="FREQ=WEEKLY;BYDAY=SA",
        labels=["home"],
    )
    work = services.list_create(owner=owner, name="Work", colour="blue")
    services.task_create(
        owner=owner,
        title="Prepare the quarterly report",
        list_id=work.list_id,
        priority=4,
        due_date=today + timedelta(days=3),
        notes="Pull the numbers from **DynamoDB** and attach the chart.",
    )
    services.task_create(owner=owner, title="Book a meeting room", list_id=work.list_id, priority=2)
    stdout.write(f"  Todos: demo lists and tasks for {DEMO_USER}.\n")
