"""The staff page and API: administrators list the staff and change roles; a change applies at once."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from accounts.models import Profile
from mysite import cognito
from tests.blog.conftest import unique_title


def groups_of(user) -> set[str]:
    pool = settings.COGNITO_USER_POOL_ID
    username = cognito.call("admin_get_user", UserPoolId=pool, Username=user.email)["Username"]
    answer = cognito.call("admin_list_groups_for_user", UserPoolId=pool, Username=username)
    return {group["GroupName"] for group in answer["Groups"]}


def after_the_stamp(sub: str) -> None:
    """Wait (at most 2.5 s) until the revocation's second is over, so that a new sign-in is valid."""
    stamp = Profile.get(sub, consistent_read=True).tokens_valid_after.timestamp()
    deadline = time.monotonic() + 2.5
    while time.time() < stamp and time.monotonic() < deadline:
        time.sleep(0.05)


def test_staff_api_lists_roles_for_administrators_only(
    bearer_client, administrator, editor, contributor, user, api_client
):
    answer = bearer_client(administrator).get("/api/blog/admin/staff")
    assert answer.status_code == 200
    roles = {member["id"]: member["role"] for member in answer.json()["results"]}
    assert roles[administrator.sub] == "administrator"
    assert roles[editor.sub] == "editor"
    assert roles[contributor.sub] == "contributor"
    assert user.sub not in roles  # a reader holds no role
    member = next(m for m in answer.json()["results"] if m["id"] == editor.sub)
    assert member == {"id": editor.sub, "email": editor.email, "name": editor.name, "role": "editor"}

    for someone in (editor, contributor, user):
        refused = bearer_client(someone).get("/api/blog/admin/staff")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
        patch = bearer_client(someone).patch(f"/api/blog/admin/staff/{user.sub}", {"role": "editor"}, format="json")
        assert patch.status_code == 403
    assert api_client.get("/api/blog/admin/staff").status_code == 401
    assert groups_of(user) == set()


def test_a_promotion_applies_at_once_and_the_old_tokens_stop_working(bearer_client, administrator, author, make_user):
    admin = bearer_client(administrator)
    old = bearer_client(author)
    assert old.get("/api/blog/admin/readers").status_code == 403

    changed = admin.patch(f"/api/blog/admin/staff/{author.sub}", {"role": "editor"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["role"] == "editor"
    assert groups_of(author) == {"editors"}
    assert admin.get(f"/api/blog/admin/staff/{author.sub}").json()["role"] == "editor"

    assert old.get("/api/blog/admin/posts").status_code == 401  # tokens naming the old groups are revoked
    after_the_stamp(author.sub)
    assert bearer_client(author).get("/api/blog/admin/readers").status_code == 200


def test_a_demotion_takes_publishing_away_at_once(bearer_client, browser_client, administrator, author):
    from blog import services

    post = services.post_create(author_sub=author.sub, author_name=author.name, title=unique_title())
    session = browser_client(author)
    assert session.get(f"/admin/blog/{post.post_id}/").status_code == 200

    admin = bearer_client(administrator)
    demoted = admin.patch(f"/api/blog/admin/staff/{author.sub}", {"role": "contributor"}, format="json")
    assert demoted.json()["role"] == "contributor"
    assert groups_of(author) == {"contributors"}

    signed_out = session.get(f"/admin/blog/{post.post_id}/")
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/accounts/sign-in/")

    after_the_stamp(author.sub)
    again = bearer_client(author)
    refused = again.post(f"/api/blog/admin/posts/{post.post_id}/publish", {}, format="json")
    assert refused.status_code == 403
    assert again.get(f"/api/blog/admin/posts/{post.post_id}").json()["status"] == "draft"

    none = admin.patch(f"/api/blog/admin/staff/{author.sub}", {"role": "none"}, format="json")
    assert none.json()["role"] is None
    assert groups_of(author) == set()


def test_staff_api_refuses_bad_input(bearer_client, administrator):
    admin = bearer_client(administrator)
    unknown = admin.patch("/api/blog/admin/staff/no-such-user", {"role": "editor"}, format="json")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "user_not_found"
    assert admin.get("/api/blog/admin/staff/no-such-user").status_code == 404
    bad = admin.patch(f"/api/blog/admin/staff/{administrator.sub}", {"role": "owner"}, format="json")
    assert bad.status_code == 400
    assert "role" in bad.json()["error"]["fields"]


def only_administrator(administrator) -> None:
    """Take every other administrator (made by earlier tests of this process's stack) out of the group."""
    pool = settings.COGNITO_USER_POOL_ID
    for user in cognito.call("list_users_in_group", UserPoolId=pool, GroupName="administrators")["Users"]:
        if {a["Name"]: a["Value"] for a in user["Attributes"]}.get("email") != administrator.email:
            cognito.call(
                "admin_remove_user_from_group", UserPoolId=pool, Username=user["Username"], GroupName="administrators"
            )


def test_the_last_administrator_cannot_be_demoted(bearer_client, administrator, make_user):
    only_administrator(administrator)
    admin = bearer_client(administrator)

    refused = admin.patch(f"/api/blog/admin/staff/{administrator.sub}", {"role": "editor"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "last_administrator"
    assert groups_of(administrator) == {"administrators"}
    assert admin.get("/api/blog/admin/staff").status_code == 200  # nothing was revoked

    second = make_user(groups=("administrators",), name="Second Admin")
    assert (
        admin.patch(f"/api/blog/admin/staff/{administrator.sub}", {"role": "editor"}, format="json").status_code == 200
    )
    assert groups_of(administrator) == {"editors"}
    assert groups_of(second) == {"administrators"}


@dataclass(frozen=True)
class Administrator:
    sub: str
    blog_role: str = "administrator"


def test_two_administrators_demoting_each_other_at_once_leave_one(administrator, make_user):
    from blog.services import staff

    only_administrator(administrator)
    second = make_user(groups=("administrators",), name="Second Admin")
    barrier = threading.Barrier(2)
    answers: list[str] = []

    def demote(target: str, by: str) -> None:
        barrier.wait()
        try:
            staff.staff_role_set(actor=Administrator(by), sub=target, role="editor")
            answers.append("demoted")
        except staff.LastAdministrator:
            answers.append("refused")

    threads = [
        threading.Thread(target=demote, args=(administrator.sub, second.sub)),
        threading.Thread(target=demote, args=(second.sub, administrator.sub)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) in (["demoted", "refused"], ["refused", "refused"])
    assert "administrators" in groups_of(administrator) | groups_of(second)  # never none left


def test_staff_page_changes_roles_by_email_and_by_member(browser_client, administrator, editor, user):
    page = browser_client(administrator)
    listing = page.get("/admin/blog/staff/")
    assert listing.status_code == 200
    assert editor.email in listing.content.decode()
    assert browser_client(editor).get("/admin/blog/staff/").status_code == 404

    added = page.post("/admin/blog/staff/", {"email": user.email, "role": "author"})
    assert added.status_code == 302
    assert groups_of(user) == {"authors"}
    changed = page.post("/admin/blog/staff/", {"user_id": user.sub, "role": "contributor"})
    assert changed.status_code == 302
    assert groups_of(user) == {"contributors"}
    assert "is now: Contributor" in page.get("/admin/blog/staff/").content.decode()

    unknown = page.post("/admin/blog/staff/", {"email": "nobody-here@example.com", "role": "author"})
    assert unknown.status_code == 404
    assert "There is no such user." in unknown.content.decode()
    empty = page.post("/admin/blog/staff/", {"role": "author"})
    assert empty.status_code == 400
    assert "Give the email of the user." in empty.content.decode()
