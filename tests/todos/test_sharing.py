"""Shared lists through the services: invite, accept, roles, revoke, leave, activity, and access decisions."""

from __future__ import annotations

import pytest

from mysite.auth import CognitoUser
from mysite.mail import mailbox_messages
from todos import selectors, services
from todos.errors import InviteNotFound, ListNotFound, OwnerOnly, SharingRuleBroken, TaskNotFound, ViewerCannotEdit


def person(test_user) -> CognitoUser:
    return CognitoUser(sub=test_user.sub, username=test_user.email, email=test_user.email, name=test_user.name)


@pytest.fixture
def alice(make_user):
    return person(make_user(name="Alice"))


@pytest.fixture
def bob(make_user):
    return person(make_user(name="Bob"))


@pytest.fixture
def groceries(alice):
    return services.list_create(owner=alice.sub, name="Groceries")


def invitations_to(email: str) -> list:
    return [m for m in mailbox_messages(to=email) if "shared" in m.subject]


def share(owner, todo_list, member, role="editor"):
    invite = services.list_share(user=owner, list_id=todo_list.list_id, email=member.email, role=role)
    return services.invite_accept(user=member, invite_id=invite.invite_id)


def test_an_invitation_is_mailed_and_accepting_it_makes_a_member(alice, bob, groceries):
    invite = services.list_share(user=alice, list_id=groceries.list_id, email=bob.email.upper(), role="viewer")
    [sent] = invitations_to(bob.email)
    assert f"/todos/invites/{invite.invite_id}/" in sent.body
    assert sent.subject == "Alice shared “Groceries” with you"
    assert [i.invite_id for i in selectors.invites_for(email=bob.email)] == [invite.invite_id]

    membership = services.invite_accept(user=bob, invite_id=invite.invite_id)

    assert (membership.owner, membership.role) == (alice.sub, "viewer")
    assert selectors.invites_for(email=bob.email) == []
    shared = selectors.shared_with(member=bob.sub)
    assert [(s.todo_list.name, s.membership.role) for s in shared] == [("Groceries", "viewer")]
    assert selectors.list_get(owner=alice.sub, list_id=groceries.list_id).member_count == 1
    assert [
        a.action for a in selectors.activity_of(access=selectors.list_access(actor=bob.sub, list_id=groceries.list_id))
    ] == ["joined"]


def test_unknown_and_known_addresses_get_the_same_answer(alice, bob, groceries):
    nobody = f"nobody-{alice.sub}@example.com"
    known = services.list_share(user=alice, list_id=groceries.list_id, email=bob.email)
    unknown = services.list_share(user=alice, list_id=groceries.list_id, email=nobody)
    assert type(known) is type(unknown)
    assert len(invitations_to(bob.email)) == len(invitations_to(nobody)) == 1
    assert {
        i.email
        for i in selectors.invites_of_list(access=selectors.list_access(actor=alice.sub, list_id=groceries.list_id))
    } == {
        bob.email,
        nobody,
    }


def test_sharing_with_oneself_the_inbox_or_a_bad_role_is_refused(alice, groceries):
    services.inbox_ensure(owner=alice.sub)
    with pytest.raises(SharingRuleBroken):
        services.list_share(user=alice, list_id=groceries.list_id, email=alice.email)
    with pytest.raises(SharingRuleBroken):
        services.list_share(user=alice, list_id="inbox", email="x@example.com")
    with pytest.raises(Exception, match="role"):
        services.list_share(user=alice, list_id=groceries.list_id, email="x@example.com", role="admin")
    assert selectors.invites_of_list(access=selectors.list_access(actor=alice.sub, list_id=groceries.list_id)) == []


def test_an_invitation_is_only_for_its_address(alice, bob, make_user, groceries):
    carol = person(make_user(name="Carol"))
    invite = services.list_share(user=alice, list_id=groceries.list_id, email=bob.email)
    with pytest.raises(InviteNotFound):
        services.invite_accept(user=carol, invite_id=invite.invite_id)
    with pytest.raises(InviteNotFound):
        services.invite_accept(user=bob, invite_id="no-such-invite")
    assert selectors.shared_with(member=carol.sub) == []


def test_access_owner_editor_viewer_stranger(alice, bob, make_user, groceries):
    carol, dave = person(make_user(name="Carol")), person(make_user(name="Dave"))
    share(alice, groceries, bob, "editor")
    share(alice, groceries, carol, "viewer")
    task = services.task_create(owner=alice.sub, title="Milk", list_id=groceries.list_id)

    assert selectors.task_access(actor=alice.sub, task_id=task.task_id).role == "owner"
    assert selectors.task_access(actor=bob.sub, task_id=task.task_id).role == "editor"
    viewer = selectors.task_access(actor=carol.sub, task_id=task.task_id)
    assert viewer.role == "viewer"
    with pytest.raises(ViewerCannotEdit):
        viewer.require_edit()
    with pytest.raises(TaskNotFound):
        selectors.task_access(actor=dave.sub, task_id=task.task_id)
    with pytest.raises(ListNotFound):
        selectors.list_access(actor=dave.sub, list_id=groceries.list_id)


def test_an_editors_write_lands_in_the_owners_list_and_the_activity(alice, bob, groceries):
    share(alice, groceries, bob, "editor")
    task = services.task_create(owner=alice.sub, title="Milk", list_id=groceries.list_id)

    updated = services.on_task(
        user=bob,
        task_id=task.task_id,
        note="renamed",
        run=lambda owner: services.task_update(owner=owner, task_id=task.task_id, title="Oat milk"),
    )

    assert updated.owner == alice.sub
    assert selectors.task_get(owner=alice.sub, task_id=task.task_id).title == "Oat milk"
    access = selectors.list_access(actor=alice.sub, list_id=groceries.list_id)
    latest = selectors.activity_of(access=access)[0]
    assert (latest.actor_name, latest.action, latest.subject) == ("Bob", "renamed", "Oat milk")


def test_a_viewer_cannot_write_and_nothing_changes(alice, bob, groceries):
    share(alice, groceries, bob, "viewer")
    task = services.task_create(owner=alice.sub, title="Milk", list_id=groceries.list_id)
    with pytest.raises(ViewerCannotEdit):
        services.on_task(
            user=bob, task_id=task.task_id, run=lambda owner: services.task_complete(owner=owner, task_id=task.task_id)
        )
    assert selectors.task_get(owner=alice.sub, task_id=task.task_id).done is False
    read = services.on_task(
        user=bob,
        task_id=task.task_id,
        edit=False,
        run=lambda owner: selectors.task_get(owner=owner, task_id=task.task_id),
    )
    assert read.title == "Milk"


def test_roles_change_and_members_are_revoked_or_leave(alice, bob, make_user, groceries):
    carol = person(make_user(name="Carol"))
    share(alice, groceries, bob, "viewer")
    share(alice, groceries, carol, "editor")
    services.member_role_set(user=alice, list_id=groceries.list_id, member=bob.sub, role="editor")
    assert selectors.list_access(actor=bob.sub, list_id=groceries.list_id).role == "editor"
    with pytest.raises(OwnerOnly):
        services.member_role_set(user=carol, list_id=groceries.list_id, member=bob.sub, role="viewer")
    with pytest.raises(OwnerOnly):
        services.member_remove(user=carol, list_id=groceries.list_id, member=bob.sub)

    services.member_remove(user=alice, list_id=groceries.list_id, member=bob.sub)
    services.member_remove(user=carol, list_id=groceries.list_id, member=carol.sub)

    for gone in (bob, carol):
        with pytest.raises(ListNotFound):
            selectors.list_access(actor=gone.sub, list_id=groceries.list_id)
        assert selectors.shared_with(member=gone.sub) == []
    assert selectors.list_get(owner=alice.sub, list_id=groceries.list_id).member_count == 0
    actions = [
        a.action
        for a in selectors.activity_of(access=selectors.list_access(actor=alice.sub, list_id=groceries.list_id))
    ]
    assert actions[:3] == ["left", "removed Bob", "made Bob editor"]
