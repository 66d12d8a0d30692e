"""The demo seed publishes posts by the demo author (an account made here, as seed_demo makes it)."""

from __future__ import annotations

import io

from accounts.services import user_create
from blog import demo, selectors


def test_seed_publishes_demo_posts_and_schedules_one(monkeypatch):
    from tests.conftest import unique_email

    email = unique_email("demo-author")
    user_create(email=email, password="correct-horse-9", display_name="Demo Author", groups=["authors"])
    monkeypatch.setattr(demo, "DEMO_AUTHOR", email)
    out = io.StringIO()

    demo.seed(stdout=out)

    assert "2 demo posts published, one scheduled" in out.getvalue()
    titles = {p.title: p for p in selectors.post_list(search="demo")[0]}
    assert titles["Welcome to the MyBlog demo"].status == "published"
    assert titles["Welcome to the MyBlog demo"].author_name == "Demo Author"
    scheduled = selectors.post_list(status="scheduled", search="ten minutes")[0]
    assert scheduled
