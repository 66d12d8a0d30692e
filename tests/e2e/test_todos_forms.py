"""Todos forms in chromium: two tabs saving one task's details, failed uploads, the live quick-add parse."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_todos import sign_in
from todos import services
from todos.models import Task

pytestmark = pytest.mark.e2e


def open_details(page, task) -> None:
    page.goto(f"/todos/lists/inbox/?open={task.task_id}")
    expect(page.get_by_label("Notes (Markdown)")).to_be_visible()


def test_a_stale_tab_saving_details_loses_neither_tabs_notes(page, user):
    task = services.task_create(owner=user.sub, title="Shared between tabs")
    sign_in(page, user)
    other = page.context.new_page()
    open_details(page, task)
    open_details(other, task)

    page.get_by_label("Notes (Markdown)").fill("Notes saved in the first tab")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".notes-rendered")).to_have_text("Notes saved in the first tab")

    other.get_by_label("Notes (Markdown)").fill("Notes typed in the second tab")
    other.get_by_role("button", name="Save details").click()
    expect(other.get_by_role("alert")).to_contain_text("saved elsewhere")
    # Both are on the screen: the saved notes in the form, the typed ones beside them.
    expect(other.get_by_label("Notes (Markdown)")).to_have_value("Notes saved in the first tab")
    expect(other.locator(f"#stale-typed-notes-{task.task_id}")).to_have_text("Notes typed in the second tab")
    expect(other.locator(f"#stale-saved-notes-{task.task_id}")).to_have_text("Notes saved in the first tab")
    assert Task.get(user.sub, task.task_id).notes == "Notes saved in the first tab"

    # Choosing the typed version saves it, now knowingly.
    other.get_by_role("button", name="Save what I typed instead").click()
    expect(other.locator(".notes-rendered")).to_have_text("Notes typed in the second tab")
    expect(other.locator(".stale-details")).to_have_count(0)
    other.close()


def rename_from_a_stale_tab(page):
    """Rename "Name me" in `page`, then again in a second tab opened before that; the second tab."""
    other = page.context.new_page()
    other.goto("/todos/")
    page.goto("/todos/")
    page.get_by_text("Name me", exact=True).dblclick()
    page.get_by_label("Edit Name me").fill("First tab's name")
    page.get_by_label("Edit Name me").press("Enter")
    expect(page.locator("label.title")).to_have_text(["First tab's name"])
    other.get_by_text("Name me", exact=True).dblclick()
    other.get_by_label("Edit Name me").fill("Second tab's name")
    other.get_by_label("Edit Name me").press("Enter")
    return other


def test_a_stale_tab_renaming_a_task_says_so_and_changes_nothing(page, user):
    services.task_create(owner=user.sub, title="Name me")
    sign_in(page, user)
    other = rename_from_a_stale_tab(page)
    expect(other.locator(".todo-error")).to_contain_text("not renamed to “Second tab's name”")
    expect(other.locator("label.title")).to_have_text(["First tab's name"])
    other.close()


def test_a_failed_upload_says_so_and_leaves_no_pending_record(page, user, site_url, tmp_path):
    task = services.task_create(owner=user.sub, title="Upload fails")
    sign_in(page, user)
    # The browser's POST to S3 never gets through; everything else does.
    page.route(
        "**/*",
        lambda route: (
            route.abort()
            if route.request.method == "POST" and not route.request.url.startswith(site_url)
            else route.continue_()
        ),
    )
    open_details(page, task)
    file = tmp_path / "notes.txt"
    file.write_text("hello")
    with page.expect_response(lambda r: r.request.method == "DELETE" and "/attachments/" in r.url) as deleted:
        page.get_by_label("Attach a file (up to 25 MB)").set_input_files(str(file))
    assert deleted.value.status == 204
    expect(page.locator(".upload-error")).to_contain_text("Upload failed — choose the file again to retry")
    page.reload()
    expect(page.get_by_label("Attach a file (up to 25 MB)")).to_be_visible()
    expect(page.locator("li.attachment")).to_have_count(0)


def test_an_expired_upload_shows_upload_failed_and_retry_uploads_again(page, user, tmp_path):
    from datetime import timedelta

    from mysite import cache
    from todos.models import UPLOAD_WINDOW, Attachment, utcnow

    task = services.task_create(owner=user.sub, title="Retry me")
    failed, _ = services.attachment_start(
        owner=user.sub, task_id=task.task_id, file_name="lost.txt", size=5, content_type="text/plain"
    )
    record = Attachment.get(user.sub, failed.attachment_key)
    record.created_at = utcnow() - UPLOAD_WINDOW - timedelta(seconds=1)
    record.save()
    cache.stamp_bump_now(cache.user_scope(user.sub))
    sign_in(page, user)
    open_details(page, task)
    row = page.locator(f"#attachment-{failed.attachment_id}")
    expect(row).to_contain_text("lost.txt Upload failed")
    file = tmp_path / "found.txt"
    file.write_text("hello")
    with page.expect_file_chooser() as chooser:
        row.get_by_role("button", name="Retry").click()
    chooser.value.set_files(str(file))
    expect(page.get_by_role("link", name="found.txt")).to_be_visible()
    expect(page.locator(f"#attachment-{failed.attachment_id}")).to_have_count(0)


def test_the_new_task_box_shows_the_parse_as_you_type_and_esc_keeps_a_word(page, user):
    services.list_create(owner=user.sub, name="Home")
    sign_in(page, user)
    box = page.get_by_label("New task")
    preview = page.locator("#quick-preview")
    box.fill("Pay rent tomorrow 9am #Home @bills p3 every month")
    expect(preview.locator("mark.token")).to_have_text(["tomorrow", "9am", "#Home", "@bills", "p3", "every month"])
    expect(preview.locator("mark.token-due")).to_have_attribute("title", "date")
    expect(preview.locator(".quick-title")).to_have_text("“Pay rent”")
    expect(preview.locator(".quick-list")).to_have_text("#Home")
    expect(preview.locator(".quick-repeat")).to_have_text("repeats every month")

    # Esc keeps the word before the cursor as typed: no date in "Read Friday".
    box.fill("Read Friday")
    expect(preview.locator("mark.token-due")).to_have_text("Friday")
    box.press("End")
    box.press("Escape")
    expect(box).to_have_value("Read \\Friday")
    expect(preview.locator("mark.token-literal")).to_have_text("\\Friday")
    expect(preview.locator("mark.token-due")).to_have_count(0)
    box.press("Enter")
    expect(page.locator("ul.todo-list > li.todo label.title")).to_have_text(["Read Friday"])
    expect(page.locator("ul.todo-list > li.todo .due")).to_have_count(0)

    # Typed and sent: the task is added as read, in the list on screen (once the last add has reset the box).
    expect(box).to_have_value("")
    expect(preview).to_be_empty()
    box.fill("Call Anna tomorrow 9am @family p4")
    expect(preview.locator("mark.token-label")).to_have_text("@family")
    box.press("Enter")
    added = page.locator("li.todo", has_text="Call Anna")
    expect(added.locator("label.title")).to_have_text("Call Anna")
    expect(added.locator(".due")).to_have_text("Tomorrow 09:00")
    expect(added.locator(".badge")).to_have_text("P4")
    expect(added).to_contain_text("@family")
    expect(box).to_have_value("")
    expect(preview).to_be_empty()


def test_what_is_typed_while_an_add_is_on_its_way_stays_in_the_box(page, user):
    sign_in(page, user)
    box = page.get_by_label("New task")
    box.fill("milk")
    # Typing goes on while the add is in flight: the listener types at the very moment htmx sends the add.
    # (Not `once`: the box's own quick-preview request may be sent first, and must not use the listener up.)
    page.evaluate(
        """() => document.addEventListener("htmx:beforeRequest", function typing(event) {
             if (!event.detail.elt.matches("form.new-todo-form")) return;
             document.removeEventListener("htmx:beforeRequest", typing);
             document.getElementById("new-todo").value += " eggs";
           })"""
    )
    box.press("Enter")
    expect(page.locator("ul.todo-list > li.todo label.title")).to_have_text(["milk"])
    expect(page.get_by_label("New task")).to_have_value("eggs")
