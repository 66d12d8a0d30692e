from __future__ import annotations

import io

from todos import demo, selectors
from todos.models import Task


def test_seed_gives_the_demo_user_lists_and_tasks(user, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_USER", user.email)
    out = io.StringIO()
    demo.seed(stdout=out)
    assert [x.name for x in selectors.lists_of(owner=user.sub)] == ["Inbox", "Work"]
    titles = {t.title for t in Task.query(user.sub)}
    assert {"Buy groceries", "Oat milk", "Water the plants", "Prepare the quarterly report"} <= titles
    assert user.email in out.getvalue()
