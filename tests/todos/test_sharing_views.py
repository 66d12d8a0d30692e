"""Shared lists in the browser: every HTML route that takes a task or a list id, for a stranger (404),
a viewer (403 on writes, nothing changed) and an editor (allowed, on the owner's partition); the
sidebar, the banner, the sharing panel, leaving, and a revocation that counts at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from accounts import services as account_services
from mysite.auth import CognitoUser
from mysite.mail import mailbox_messages
from tests.conftest import unique_email
from tests.todos.conftest import upload
from todos import selectors, services
from todos.models import Attachment, ListInvite, ListMember, Reminder, Task, TodoList
from todos.services.reminders import reminder_create

VIEWER_REFUSED = "You can view this shared list but not change it"


def person(test_user) -> CognitoUser:
    return CognitoUser(sub=test_user.sub, username=test_user.email, email=test_user.email, name=test_user.name)


def htmx_post(client, url, data=None, *, current="/todos/"):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{current}")


@dataclass
class Team:
    """Alice's list "Groceries", shared with Bob (editor) and Carol (viewer); Dave is a stranger to it."""

    alice: CognitoUser
    bob: CognitoUser
    carol: CognitoUser
    dave: CognitoUser
    groceries: TodoList
    clients: dict

    @property
    def page(self) -> str:
        return f"/todos/lists/{self.groceries.list_id}/"


def _share(owner, list_id, member, role):
    invite = services.list_share(user=owner, list_id=list_id, email=member.email, role=role)
    services.invite_accept(user=member, invite_id=invite.invite_id)


@pytest.fixture
def team(make_user, browser_client) -> Team:
    users = {name: make_user(name=name) for name in ("Alice", "Bob", "Carol", "Dave")}
    people = {name: person(user) for name, user in users.items()}
    groceries = services.list_create(owner=people["Alice"].sub, name="Groceries")
    _share(people["Alice"], groceries.list_id, people["Bob"], "editor")
    _share(people["Alice"], groceries.list_id, people["Carol"], "viewer")
    clients = {name.lower(): browser_client(user) for name, user in users.items()}
    return Team(people["Alice"], people["Bob"], people["Carol"], people["Dave"], groceries=groceries, clients=clients)


def _objects(team: Team, *, invite: bool = True) -> dict:
    """Fresh things on Alice's list for one route: two open tasks, a done one, a file, a reminder, an invitation.

    (`invite=False` mails no invitation: the pending one is only for the route that cancels it.)
    """
    owner, list_id = team.alice.sub, team.groceries.list_id
    milk = services.task_create(owner=owner, title="Milk", list_id=list_id)
    eggs = services.task_create(owner=owner, title="Eggs", list_id=list_id)
    bread = services.task_create(owner=owner, title="Bread", list_id=list_id)
    services.task_complete(owner=owner, task_id=bread.task_id)
    attachment, post = services.attachment_start(
        owner=owner, task_id=milk.task_id, file_name="list.txt", size=5, content_type="text/plain"
    )
    upload(post.as_dict(), b"hello")
    services.attachment_complete(owner=owner, task_id=milk.task_id, attachment_id=attachment.attachment_id)
    reminder = reminder_create(
        owner=owner, task_id=milk.task_id, at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    )
    if invite:
        pending = services.list_share(user=team.alice, list_id=list_id, email=unique_email("pending"), role="viewer")
    return {
        "list": list_id,
        "milk": milk.task_id,
        "eggs": eggs.task_id,
        "bread": bread.task_id,
        "file": attachment.attachment_id,
        "reminder": reminder.reminder_id,
        "invite": pending.invite_id if invite else "",
        "bob": team.bob.sub,
        "carol": team.carol.sub,
    }


def _snapshot(team: Team) -> tuple:
    """Everything on Alice's side a refused request must leave as it was."""
    owner, key = team.alice.sub, f"{team.alice.sub}#{team.groceries.list_id}"
    return (
        sorted((t.task_id, t.title, t.done, t.position, t.list_id, t.notes, t.priority) for t in Task.query(owner)),
        sorted((x.list_id, x.name, x.archived) for x in TodoList.query(owner)),
        sorted(a.attachment_key for a in Attachment.query(owner)),
        sorted(r.reminder_key for r in Reminder.query(owner)),
        sorted((m.member, m.role) for m in ListMember.by_list.query(key)),
        sorted(i.invite_id for i in ListInvite.by_list.query(key)),
    )


def _task(team: Team, task_id: str):
    return next((t for t in Task.query(team.alice.sub) if t.task_id == task_id), None)


def _details_form(**changes) -> dict:
    form = {"notes": "from the panel", "priority": "2", "labels": "", "recurrence": "", "list_id": ""}
    return {**form, **changes}


@dataclass(frozen=True)
class Route:
    """One HTML write taking a task or list id; `editor` = the editor's status, `effect` = what their write did."""

    name: str
    path: str
    data: dict
    editor: int = 200
    effect: object = None  # (team, objects) -> bool, for an editor's allowed write


WRITES = [
    Route("toggle", "tasks/{milk}/toggle", {}, effect=lambda t, o: _task(t, o["milk"]).done),
    Route("reopen", "tasks/{bread}/reopen", {}, effect=lambda t, o: not _task(t, o["bread"]).done),
    Route(
        "move (same list)",
        "tasks/{milk}/move",
        {"list_id": "{list}", "position": "7"},
        effect=lambda t, o: _task(t, o["milk"]).position == 7,
    ),
    Route(
        "title",
        "tasks/{milk}/title",
        {"title": "Oat milk"},
        effect=lambda t, o: _task(t, o["milk"]).title == "Oat milk",
    ),
    Route("title emptied", "tasks/{milk}/title", {"title": ""}, effect=lambda t, o: _task(t, o["milk"]) is None),
    Route(
        "details",
        "tasks/{milk}/details",
        _details_form(),
        effect=lambda t, o: _task(t, o["milk"]).notes == "from the panel",
    ),
    Route("delete", "tasks/{milk}/delete", {}, effect=lambda t, o: _task(t, o["milk"]) is None),
    Route("up", "tasks/{eggs}/up", {}, effect=lambda t, o: _task(t, o["eggs"]).position < _task(t, o["milk"]).position),
    Route(
        "down", "tasks/{milk}/down", {}, effect=lambda t, o: _task(t, o["eggs"]).position < _task(t, o["milk"]).position
    ),
    Route(
        "subtask",
        "tasks/{milk}/subtasks",
        {"title": "Organic"},
        effect=lambda t, o: any(x.parent_id == o["milk"] for x in Task.query(t.alice.sub)),
    ),
    Route(
        "attachment delete",
        "tasks/{milk}/attachments/{file}/delete",
        {},
        effect=lambda t, o: all(a.attachment_id != o["file"] for a in Attachment.query(t.alice.sub)),
    ),
    Route("reminder add", "tasks/{milk}/reminders", {"at": "2031-01-01T09:00"}, editor=403),
    Route("reminder remove", "tasks/{milk}/reminders/{reminder}/delete", {}, editor=403),
    Route(
        "new task",
        "tasks/new",
        {"title": "Butter #Groceries"},
        effect=lambda t, o: any(x.title == "Butter #Groceries" for x in Task.query(t.alice.sub)),
    ),
    Route("toggle all", "lists/{list}/toggle-all", {}, effect=lambda t, o: _task(t, o["milk"]).done),
    Route("clear completed", "lists/{list}/clear-completed", {}, effect=lambda t, o: _task(t, o["bread"]) is None),
    Route(
        "reorder",
        "lists/{list}/reorder",
        {"ids": ["{eggs}", "{milk}"]},
        effect=lambda t, o: _task(t, o["eggs"]).position < _task(t, o["milk"]).position,
    ),
    Route("delete list", "lists/{list}/delete", {}, editor=403),
    Route("share", "lists/{list}/share", {"email": "someone@example.com", "role": "viewer"}, editor=403),
    Route("member role", "lists/{list}/members/{carol}/role", {"role": "editor"}, editor=403),
    Route("member remove", "lists/{list}/members/{carol}/remove", {}, editor=403),
    Route("invite cancel", "lists/{list}/invites/{invite}/cancel", {}, editor=403),
]


def _fill(value, objects: dict):
    if isinstance(value, list):
        return [_fill(v, objects) for v in value]
    return value.format(**objects)


def _request(route: Route, objects: dict) -> tuple[str, dict]:
    return "/todos/" + _fill(route.path, objects), {k: _fill(v, objects) for k, v in route.data.items()}


def test_a_stranger_gets_a_404_from_every_route_and_nothing_changes(team):
    dave = team.clients["dave"]
    objects = _objects(team)
    before = _snapshot(team)
    failures = []
    for route in WRITES:
        url, data = _request(route, objects)
        current = team.page if route.name == "new task" else "/todos/"
        response = dave.post(url, data, HTTP_REFERER=f"http://testserver{current}")
        if response.status_code != 404:
            failures.append((route.name, "plain", response.status_code))
        if route.name != "new task":  # from the stranger's own Inbox, with htmx: a message, not the page
            shown = htmx_post(dave, url, data)
            text = shown.content.decode()
            if shown.status_code not in (200, 404) or ("No such" not in text and "no longer shared" not in text):
                failures.append((route.name, "htmx", shown.status_code))
    reads = [
        team.page,
        f"{team.page}?open={objects['milk']}",
        f"/todos/tasks/{objects['milk']}/attachments/{objects['file']}/download",
    ]
    failures += [(url, "get", s) for url in reads if (s := dave.get(url).status_code) != 404]
    leave = dave.post(f"/todos/lists/{objects['list']}/leave")
    if leave.status_code != 404:
        failures.append(("leave", "plain", leave.status_code))
    feed = dave.post("/todos/calendar/", {"action": "issue", "list_id": objects["list"]})
    if feed.status_code != 404:
        failures.append(("calendar feed", "plain", feed.status_code))
    assert failures == []
    assert _snapshot(team) == before


def test_a_viewer_reads_but_every_write_is_a_403_with_the_message_and_nothing_changes(team):
    carol = team.clients["carol"]
    objects = _objects(team)
    before = _snapshot(team)
    failures = []
    for route in WRITES:
        url, data = _request(route, objects)
        shown = htmx_post(carol, url, data, current=team.page)
        body = shown.content.decode()
        if shown.status_code != 403 or not body.lstrip().startswith('<div id="todo-app"') or 'role="alert"' not in body:
            failures.append((route.name, "htmx", shown.status_code))
        plain = carol.post(url, data, HTTP_REFERER=f"http://testserver{team.page}")
        if plain.status_code != 403:
            failures.append((route.name, "plain", plain.status_code))
    feed = carol.post("/todos/calendar/", {"action": "issue", "list_id": objects["list"]})
    if feed.status_code != 403:
        failures.append(("calendar feed", "plain", feed.status_code))
    assert failures == []
    assert _snapshot(team) == before

    toggled = htmx_post(carol, f"/todos/tasks/{objects['milk']}/toggle", current=team.page).content.decode()
    assert VIEWER_REFUSED in toggled
    assert carol.get(team.page).status_code == 200
    assert carol.get(f"{team.page}?open={objects['milk']}").status_code == 200
    download = carol.get(f"/todos/tasks/{objects['milk']}/attachments/{objects['file']}/download")
    assert download.status_code == 302


def test_an_editors_writes_land_on_the_owners_list_and_owner_only_ones_are_a_403(team):
    bob = team.clients["bob"]
    failures = []
    for route in WRITES:
        objects = _objects(team, invite="{invite}" in route.path)
        before = _snapshot(team)
        url, data = _request(route, objects)
        response = htmx_post(bob, url, data, current=team.page)
        if response.status_code != route.editor:
            failures.append((route.name, response.status_code, route.editor))
        elif route.editor == 403 and _snapshot(team) != before:
            failures.append((route.name, "changed"))
        elif route.effect is not None and not route.effect(team, objects):
            failures.append((route.name, "no effect"))
        if route.editor == 200 and 'role="alert"' in response.content.decode():
            failures.append((route.name, "refused"))
    feed = bob.post("/todos/calendar/", {"action": "issue", "list_id": team.groceries.list_id})
    if feed.status_code != 403:
        failures.append(("calendar feed", feed.status_code))
    assert failures == []
    objects = _objects(team, invite=False)
    assert bob.get(f"/todos/tasks/{objects['milk']}/attachments/{objects['file']}/download").status_code == 302


def test_an_editor_cannot_move_a_shared_task_out_of_its_list(team):
    bob = team.clients["bob"]
    objects = _objects(team, invite=False)
    moved = htmx_post(bob, f"/todos/tasks/{objects['milk']}/move", {"list_id": "inbox"}, current=team.page)
    assert "stay in it" in moved.content.decode()
    saved = htmx_post(bob, f"/todos/tasks/{objects['milk']}/details", _details_form(list_id="inbox"), current=team.page)
    assert "stay in it" in saved.content.decode()
    assert _task(team, objects["milk"]).list_id == team.groceries.list_id
    assert list(Task.query(team.bob.sub)) == []


def test_activity_of_members_is_recorded_and_shown_on_the_list_page(team):
    objects = _objects(team, invite=False)
    htmx_post(team.clients["bob"], f"/todos/tasks/{objects['milk']}/toggle", current=team.page)
    htmx_post(team.clients["bob"], "/todos/tasks/new", {"title": "Butter"}, current=team.page)
    for name in ("alice", "bob", "carol"):
        body = team.clients[name].get(team.page).content.decode()
        assert 'id="activity"' in body
        assert "Bob completed “Milk” · <time" in body
        assert ">just now</time>" in body
        assert "Bob added “Butter”" in body


def test_the_page_shows_who_shares_it_and_a_viewer_gets_no_edit_controls(team):
    objects = _objects(team, invite=False)
    viewer = team.clients["carol"].get(f"{team.page}?open={objects['milk']}").content.decode()
    assert "Shared by Alice · you can view" in viewer
    assert "Milk" in viewer
    assert "Eggs" in viewer
    for control in (
        'id="new-todo"',
        f'id="toggle-{objects["milk"]}"',
        f'id="delete-{objects["milk"]}"',
        f'id="rename-{objects["milk"]}"',
        'id="toggle-all"',
        'id="delete-list"',
        'class="details-form"',
        'class="reminders"',
        'class="attach-input"',
        f'id="remove-{objects["file"]}"',
        'id="share-toggle"',
    ):
        assert control not in viewer, control
    assert 'id="leave-list"' in viewer

    editor = team.clients["bob"].get(f"{team.page}?open={objects['milk']}").content.decode()
    assert "Shared by Alice · you can edit" in editor
    editor_controls = ('id="new-todo"', f'id="toggle-{objects["milk"]}"', 'id="toggle-all"', 'class="details-form"')
    for control in (*editor_controls, 'class="attach-input"'):
        assert control in editor, control
    # Reminders and moving to another list stay the owner's; so does deleting the list.
    for control in ('class="reminders"', f'id="list-{objects["milk"]}"', 'id="delete-list"'):
        assert control not in editor, control

    owner = team.clients["alice"].get(f"{team.page}?open={objects['milk']}").content.decode()
    assert "Shared with 2 people" in owner
    for control in ('class="reminders"', 'class="attach-input"', 'id="delete-list"', 'id="share-toggle"'):
        assert control in owner, control


def test_the_sidebar_lists_the_lists_shared_with_me_and_my_role(team):
    body = team.clients["carol"].get("/todos/").content.decode()
    assert "Shared with me" in body
    assert f'id="nav-shared-{team.groceries.list_id}"' in body
    assert ">viewer</span>" in body
    assert "Shared with me" not in team.clients["dave"].get("/todos/").content.decode()
    assert "Shared with me" not in team.clients["alice"].get("/todos/").content.decode()


def test_the_banner_shows_an_invitation_and_accepting_it_joins_the_list(team):
    work = services.list_create(owner=team.alice.sub, name="Work")
    invite = services.list_share(user=team.alice, list_id=work.list_id, email=team.dave.email, role="editor")
    dave = team.clients["dave"]
    body = dave.get("/todos/").content.decode()
    assert 'id="invite-banner"' in body
    assert "Alice shared “Work” with you" in body
    assert f'action="/todos/invites/{invite.invite_id}/"' in body
    assert 'id="invite-banner"' not in team.clients["carol"].get("/todos/").content.decode()
    # The banner sits above the app, on whole pages: an htmx action's fragment neither reads nor repeats it.
    assert 'id="invite-banner"' not in htmx_post(dave, "/todos/tasks/new", {"title": "Call mum"}).content.decode()

    accepted = dave.post(f"/todos/invites/{invite.invite_id}/", {"answer": "accept"})
    assert accepted.status_code == 302
    assert accepted["Location"] == f"/todos/lists/{work.list_id}/"
    page = dave.get(accepted["Location"]).content.decode()
    assert 'id="invite-banner"' not in page
    assert f'id="nav-shared-{work.list_id}"' in page
    assert "Shared by Alice · you can edit" in page


def test_declining_from_the_banner_joins_nothing(team):
    work = services.list_create(owner=team.alice.sub, name="Work")
    invite = services.list_share(user=team.alice, list_id=work.list_id, email=team.dave.email)
    dave = team.clients["dave"]
    declined = dave.post(f"/todos/invites/{invite.invite_id}/", {"answer": "decline"})
    assert declined.status_code == 302
    assert 'id="invite-banner"' not in dave.get("/todos/").content.decode()
    assert dave.get(f"/todos/lists/{work.list_id}/").status_code == 404
    assert dave.get(f"/todos/invites/{invite.invite_id}/").status_code == 404


def test_the_owner_invites_from_the_panel_with_the_same_answer_for_any_address(team):
    alice = team.clients["alice"]
    panel = alice.get(f"{team.page}?share=1").content.decode()
    assert 'id="sharing-panel"' in panel
    assert 'id="share-email"' in panel
    assert f'id="member-{team.bob.sub}"' in panel
    assert f'id="member-{team.carol.sub}"' in panel

    current = f"{team.page}?share=1"
    url = f"/todos/lists/{team.groceries.list_id}/share"
    known = htmx_post(alice, url, {"email": team.dave.email, "role": "viewer"}, current=current)
    nobody = unique_email("nobody")
    unknown = htmx_post(alice, url, {"email": nobody, "role": "editor"}, current=current)
    assert known.status_code == unknown.status_code == 200
    assert f"Invitation sent to {team.dave.email}" in known.content.decode()
    assert f"Invitation sent to {nobody}" in unknown.content.decode()
    pending = unknown.content.decode()
    assert team.dave.email in pending
    assert nobody in pending
    assert {i.email for i in selectors.invites_for(email=team.dave.email)} == {team.dave.email}


@pytest.mark.parametrize(
    ("list_id", "email", "status", "message"),
    [
        ("groceries", "self", 422, "already yours"),
        ("inbox", "someone@example.com", 422, "The Inbox is yours alone"),
        ("groceries", "not an address", 400, "Enter a valid email address."),
        ("groceries", "bob", 422, "a member already"),
    ],
)
def test_a_refused_invitation_is_a_message_with_its_status_and_nothing_changes(team, list_id, email, status, message):
    services.inbox_ensure(owner=team.alice.sub)
    list_id = team.groceries.list_id if list_id == "groceries" else list_id
    email = {"self": team.alice.email, "bob": team.bob.email}.get(email, email)
    before = _snapshot(team)
    current = f"/todos/lists/{list_id}/?share=1"
    refused = htmx_post(team.clients["alice"], f"/todos/lists/{list_id}/share", {"email": email}, current=current)
    body = refused.content.decode()
    assert refused.status_code == status
    assert body.lstrip().startswith('<div id="todo-app"')
    assert body.count(message) == 1  # in the panel, by its field (or above it), once
    assert "Invitation sent" not in body
    plain = team.clients["alice"].post(f"/todos/lists/{list_id}/share", {"email": email})
    assert plain.status_code == status
    assert message in plain.content.decode()
    assert _snapshot(team) == before


def test_a_role_change_and_a_removal_take_effect_at_once(team):
    alice, current = team.clients["alice"], f"{team.page}?share=1"
    objects = _objects(team)
    made = htmx_post(
        alice, f"/todos/lists/{objects['list']}/members/{team.bob.sub}/role", {"role": "viewer"}, current=current
    )
    assert "Bob can view now" in made.content.decode()
    assert (
        htmx_post(team.clients["bob"], f"/todos/tasks/{objects['milk']}/toggle", current=team.page).status_code == 403
    )
    assert "you can view" in team.clients["bob"].get(team.page).content.decode()

    removed = htmx_post(alice, f"/todos/lists/{objects['list']}/members/{team.carol.sub}/remove", current=current)
    assert "Removed Carol from the list" in removed.content.decode()
    assert f'id="member-{team.carol.sub}"' not in removed.content.decode()
    carol = team.clients["carol"]
    # Carol's tab still shows the list: her next click lands in her Inbox, saying why.
    gone = htmx_post(carol, f"/todos/tasks/{objects['milk']}/toggle", current=team.page)
    assert gone.status_code == 404
    assert gone.content.decode().lstrip().startswith('<div id="todo-app"')
    assert "no longer shared with you" in gone.content.decode()
    assert gone["HX-Push-Url"] == "/todos/lists/inbox/"
    assert carol.get(team.page).status_code == 404
    assert carol.post(f"/todos/tasks/{objects['milk']}/toggle").status_code == 404
    assert f'id="nav-shared-{objects["list"]}"' not in carol.get("/todos/").content.decode()

    cancelled = htmx_post(alice, f"/todos/lists/{objects['list']}/invites/{objects['invite']}/cancel", current=current)
    assert "Invitation cancelled" in cancelled.content.decode()
    assert f'id="pending-{objects["invite"]}"' not in cancelled.content.decode()


def test_a_member_leaves_and_is_back_in_their_inbox(team):
    bob = team.clients["bob"]
    left = htmx_post(bob, f"/todos/lists/{team.groceries.list_id}/leave", current=team.page)
    body = left.content.decode()
    assert left.status_code == 200
    assert left["HX-Push-Url"] == "/todos/lists/inbox/"
    assert "You left “Groceries”" in body
    assert f'id="nav-shared-{team.groceries.list_id}"' not in body
    assert bob.get(team.page).status_code == 404
    assert selectors.list_get(owner=team.alice.sub, list_id=team.groceries.list_id).member_count == 1
    # The owner cannot "leave" their own list.
    refused = htmx_post(team.clients["alice"], f"/todos/lists/{team.groceries.list_id}/leave", current=team.page)
    assert refused.status_code == 422


def test_a_members_plain_title_is_not_read_as_quick_add_into_the_owners_other_lists(team):
    services.list_create(owner=team.alice.sub, name="Private")
    added = htmx_post(team.clients["bob"], "/todos/tasks/new", {"title": "Peek #Private"}, current=team.page)
    assert added.status_code == 200, added.content.decode()[-2000:]
    [task] = [t for t in Task.query(team.alice.sub) if t.title.startswith("Peek")]
    assert (task.title, task.list_id) == ("Peek #Private", team.groceries.list_id)


def test_a_members_quick_add_reads_dates_and_priority_in_their_time_zone_but_names_no_list(team):
    services.list_create(owner=team.alice.sub, name="Private")
    account_services.profile_update(sub=team.bob.sub, time_zone="Asia/Tokyo")
    words = "Mow lawn #Private 2030-05-06 9am p3"
    services.list_create(owner=team.bob.sub, name="Private")  # bob's own list of that name is not named either
    preview = team.clients["bob"].get("/todos/tasks/quick-preview", {"title": words, "shared": "1"}).content.decode()
    assert "“Mow lawn #Private”" in preview
    assert ('class="quick-list"' in preview, 'class="quick-due"' in preview) == (False, True)
    own = team.clients["bob"].get("/todos/tasks/quick-preview", {"title": words}).content.decode()
    assert 'class="quick-list">#Private<' in own  # in bob's own lists it is one
    added = htmx_post(team.clients["bob"], "/todos/tasks/new", {"title": words}, current=team.page)
    assert added.status_code == 200, added.content.decode()[-2000:]
    [task] = [t for t in Task.query(team.alice.sub) if t.title.startswith("Mow")]
    assert (task.title, task.list_id, int(task.priority)) == ("Mow lawn #Private", team.groceries.list_id, 3)
    assert task.due_timezone == "Asia/Tokyo"
    assert task.due_datetime == datetime(2030, 5, 6, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo


def test_an_editors_delete_offers_an_undo_that_restores_the_task_to_the_owners_list(team):
    milk = services.task_create(owner=team.alice.sub, title="Milk", list_id=team.groceries.list_id)
    deleted = htmx_post(team.clients["bob"], f"/todos/tasks/{milk.task_id}/delete", current=team.page)
    undo_url = f"/todos/trash/task-{milk.task_id}/restore?list_id={team.groceries.list_id}"
    assert undo_url.encode() in deleted.content.replace(b"&amp;", b"&")
    assert not Task.count(team.alice.sub, Task.task_id == milk.task_id)

    refused = {
        name: htmx_post(team.clients[name], undo_url, current=team.page).status_code for name in ("carol", "dave")
    }
    assert not Task.count(team.alice.sub, Task.task_id == milk.task_id)
    restored = htmx_post(team.clients["bob"], undo_url, current=team.page)

    assert restored.status_code == 200
    assert refused == {"carol": 403, "dave": 404}
    assert selectors.task_get(owner=team.alice.sub, task_id=milk.task_id).list_id == team.groceries.list_id
    access = selectors.list_access(actor=team.alice.sub, list_id=team.groceries.list_id)
    assert [(a.actor_name, a.action) for a in selectors.activity_of(access=access)[:2]] == [
        ("Bob", "restored"),
        ("Bob", "deleted"),
    ]


def test_a_members_undo_cannot_reach_the_owners_other_trash(team):
    private = services.list_create(owner=team.alice.sub, name="Private")
    secret = services.task_create(owner=team.alice.sub, title="Secret", list_id=private.list_id)
    services.task_delete(owner=team.alice.sub, task_id=secret.task_id)
    url = f"/todos/trash/task-{secret.task_id}/restore?list_id={team.groceries.list_id}"
    response = htmx_post(team.clients["bob"], url, current=team.page)
    assert b"No such item in the Trash" in response.content  # the app's message for an unknown entry
    assert b"Secret" not in response.content
    assert not Task.count(team.alice.sub, Task.task_id == secret.task_id)


def test_the_emailed_link_opened_again_after_accepting_leads_to_the_list(team):
    work = services.list_create(owner=team.alice.sub, name="Work")
    invite = services.list_share(user=team.alice, list_id=work.list_id, email=team.dave.email, role="editor")
    [mail] = [m for m in mailbox_messages(to=team.dave.email) if "shared" in m.subject and invite.invite_id in m.body]
    link = urlsplit(re.search(r"https?://\S+/todos/invites/\S+", mail.body).group())
    path = f"{link.path}?{link.query}"
    assert link.query == f"list={work.list_id}"
    dave = team.clients["dave"]
    assert dave.get(path).status_code == 200  # the invitation, to accept
    assert dave.post(path, {"answer": "accept"})["Location"] == f"/todos/lists/{work.list_id}/"
    again = dave.get(path)
    assert (again.status_code, again["Location"]) == (302, f"/todos/lists/{work.list_id}/")
    # Anyone else following it (not a member), or naming another list, still gets the 404.
    assert team.clients["carol"].get(path).status_code == 404
    other = services.list_create(owner=team.alice.sub, name="Other")
    assert dave.get(f"{link.path}?list={other.list_id}").status_code == 404
    assert dave.get(f"{link.path}?list={'x' * 500}").status_code == 404
