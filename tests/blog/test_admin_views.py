"""The authors' panel: access, editor actions, conflicts, delete confirmation, readers and welcome emails."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts import services as account_services
from accounts.selectors import profile_get
from blog import selectors, services
from blog.models import utcnow
from mysite.mail import mailbox_messages
from tests.blog.conftest import unique_title
from tests.conftest import latest_code, unique_email


@pytest.fixture
def author_browser(browser_client, author):
    return browser_client(author)


def test_panel_is_404_for_readers_and_sends_anonymous_visitors_to_sign_in(browser_client, user, make_post, client):
    post = make_post(publish=False)
    reader = browser_client(user)
    for path in (
        "/admin/blog/",
        "/admin/blog/new/",
        f"/admin/blog/{post.post_id}/",
        "/admin/blog/readers/",
        f"/admin/blog/{post.post_id}/delete/",
    ):
        assert reader.get(path).status_code == 404, path
    assert reader.post("/admin/blog/preview/", {"body_markdown": "x"}).status_code == 404
    anonymous = client.get("/admin/blog/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/sign-in/")


def test_author_writes_a_draft_then_publishes_it(author_browser, author):
    title = unique_title()
    created = author_browser.post(
        "/admin/blog/new/", {"title": title, "body_markdown": "First *draft*", "tags": "news, Web", "action": "save"}
    )
    assert created.status_code == 302
    post = selectors.post_list(search=title)[0][0]
    assert created["Location"] == f"/admin/blog/{post.post_id}/"
    assert post.status == "draft"
    assert post.author_sub == author.sub
    assert post.tags == ["news", "web"]

    editor = author_browser.get(created["Location"])
    assert editor.status_code == 200
    assert "private" in editor["Cache-Control"]
    assert 'value="news, Web"' in editor.content.decode()  # the names as written

    published = author_browser.post(
        created["Location"],
        {"title": title, "body_markdown": "Final text", "tags": "news", "version": post.version, "action": "publish"},
    )
    assert published.status_code == 302
    live = selectors.post_get_published(slug=post.slug)
    assert live.body_markdown == "Final text"
    assert live.tags == ["news"]


def test_editing_a_stale_copy_shows_a_conflict_and_keeps_the_other_edit(author_browser, make_post):
    post = make_post(publish=False)
    services.post_update(post_id=post.post_id, version=post.version, title="Someone else", body_markdown="x")
    response = author_browser.post(
        f"/admin/blog/{post.post_id}/", {"title": "Mine", "body_markdown": "y", "version": post.version}
    )
    assert response.status_code == 409
    assert "Someone changed this post since you opened it" in response.content.decode()
    assert selectors.post_get(post_id=post.post_id).title == "Someone else"


def test_editor_shows_field_errors_and_writes_nothing(author_browser):
    response = author_browser.post("/admin/blog/new/", {"title": "", "body_markdown": "x", "slug": "Bad Slug"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    title = unique_title()
    bad_slug = author_browser.post("/admin/blog/new/", {"title": title, "slug": "Bad Slug", "action": "save"})
    assert bad_slug.status_code == 400
    assert "Use lower-case letters" in bad_slug.content.decode()
    assert selectors.post_list(search=title)[0] == []


def test_schedule_and_unpublish_from_the_editor(author_browser, make_post):
    post = make_post(publish=False)
    when = (utcnow() + timedelta(days=30)).replace(second=0, microsecond=0)
    scheduled = author_browser.post(
        f"/admin/blog/{post.post_id}/",
        {
            "title": post.title,
            "body_markdown": "b",
            "version": post.version,
            "action": "schedule",
            "publish_at": when.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert scheduled.status_code == 302
    current = selectors.post_get(post_id=post.post_id)
    assert current.status == "scheduled"
    assert current.scheduled_for == when

    unpublished = author_browser.post(
        f"/admin/blog/{post.post_id}/",
        {"title": post.title, "body_markdown": "b", "version": current.version, "action": "unpublish"},
    )
    assert unpublished.status_code == 302
    assert selectors.post_get(post_id=post.post_id).status == "draft"


def test_delete_asks_for_confirmation_then_deletes(author_browser, make_post):
    post = make_post()
    confirm = author_browser.get(f"/admin/blog/{post.post_id}/delete/")
    assert confirm.status_code == 200
    assert "Delete this post?" in confirm.content.decode()
    assert selectors.post_get(post_id=post.post_id).title == post.title  # a GET deletes nothing

    done = author_browser.post(f"/admin/blog/{post.post_id}/delete/", {"version": post.version})
    assert done.status_code == 302
    with pytest.raises(selectors.PostNotFound):
        selectors.post_get(post_id=post.post_id)


def test_list_filters_by_status_and_title(author_browser, make_post):
    marker = unique_title("Findme").split()[-1]
    draft = make_post(title=f"Draft {marker}", publish=False)
    live = make_post(title=f"Live {marker}")
    page = author_browser.get("/admin/blog/", {"status": "draft", "q": marker}).content.decode()
    assert draft.title in page
    assert live.title not in page


def test_live_preview_renders_markdown_safely(author_browser):
    response = author_browser.post("/admin/blog/preview/", {"body_markdown": "# Hi\n\n<img src=x onerror=alert(1)>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="preview"' in html
    assert "<h1>Hi</h1>" in html
    assert "onerror" not in html


def test_preview_needs_the_csrf_token(browser_client, author):
    strict = browser_client(author, enforce_csrf_checks=True)
    assert strict.post("/admin/blog/preview/", {"body_markdown": "x"}).status_code == 403


def test_new_reader_gets_the_welcome_email_exactly_once_and_shows_in_the_readers_list(
    browser_client, editor, dispatcher
):
    email = unique_email("reader")
    sub = account_services.account_sign_up(email=email, password="correct-horse-9", display_name="New Reader")
    account_services.account_confirm(email=email, code=latest_code(email))

    dispatcher.run_once(include_schedules=False)
    dispatcher.run_once(include_schedules=False)

    welcomes = [m for m in mailbox_messages(to=email) if "verification code" not in m.subject]
    assert len(welcomes) == 1
    assert "New Reader" in welcomes[0].body
    sent_at = profile_get(sub=sub).welcome_email_sent_at
    assert sent_at is not None

    page = browser_client(editor).get("/admin/blog/readers/").content.decode()  # the readers are editors'

    assert email in page
    assert f"sent {sent_at:%-d %b %Y}" in page
    count = int(page.split('id="reader-count">')[1].split("<")[0])
    assert count >= 1


def test_history_lists_every_save_with_its_diff_and_restores_one(
    author_browser, make_post, author, browser_client, user
):
    post = make_post(publish=False, body_markdown="Kept line\nfirst words")
    services.post_update(post_id=post.post_id, version=post.version, title="Renamed", body_markdown="Kept line\nnew")
    page = author_browser.get(f"/admin/blog/{post.post_id}/history/")
    assert page.status_code == 200
    html = page.content.decode()
    assert [entry["revision"].number for entry in page.context["entries"]] == [2, 1]
    assert '<span class="diff-remove">- first words</span>' in html
    assert '<span class="diff-add">+ new</span>' in html
    assert "Ada Author" in html
    assert "Restore revision 1" in html
    assert "Restore revision 2" not in html

    stale = author_browser.post(f"/admin/blog/{post.post_id}/history/1/restore/", {"version": 1})
    assert stale.status_code == 302
    assert stale["Location"] == f"/admin/blog/{post.post_id}/history/"
    assert selectors.post_get(post_id=post.post_id).title == "Renamed"  # a stale page restores nothing

    done = author_browser.post(f"/admin/blog/{post.post_id}/history/1/restore/", {"version": 2})
    assert done["Location"] == f"/admin/blog/{post.post_id}/"
    restored = selectors.post_get(post_id=post.post_id)
    assert (restored.title, restored.body_markdown, restored.version) == (post.title, "Kept line\nfirst words", 3)
    assert browser_client(user).get(f"/admin/blog/{post.post_id}/history/").status_code == 404


def test_the_new_post_form_posted_twice_creates_one_post_and_redirects_alike(author_browser):
    import re

    from mysite.idempotency import FORM_FIELD

    editor = author_browser.get("/admin/blog/new/").content.decode()
    key = re.search(rf'name="{FORM_FIELD}" value="([^"]+)"', editor).group(1)
    title = unique_title()
    fields = {"title": title, "body_markdown": "Once", "action": "save", FORM_FIELD: key}
    first, again = author_browser.post("/admin/blog/new/", fields), author_browser.post("/admin/blog/new/", fields)
    posts = selectors.post_list(search=title)[0]
    assert len(posts) == 1
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/admin/blog/{posts[0].post_id}/"
