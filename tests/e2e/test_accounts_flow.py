from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import latest_code, unique_email
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_sign_up_confirm_sign_in_sign_out_in_the_browser(page, running_dispatcher):
    email = unique_email("browser")
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Name").fill("Grace Hopper")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Sign up").click()

    page.wait_for_url(re.compile(r"/accounts/confirm/"))
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_label("Confirmation code").fill(latest_code(email))
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(re.compile(r"/accounts/sign-in/"))
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    expect(page.locator(".who")).to_have_text("Grace Hopper")
    screenshot(page, "home-signed-in")

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".account").get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.locator(".who")).to_have_count(0)


def test_wrong_password_shows_a_form_error(page, user):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("not-the-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_have_text("Incorrect email or password.")
    expect(page.locator(".who")).to_have_count(0)


def test_the_header_keeps_its_height_when_signing_in(page, user):
    page.goto("/accounts/sign-in/")
    header = page.locator(".site-header")
    expect(page.locator(".account").get_by_role("link", name="Sign up")).to_be_visible()
    signed_out = header.evaluate("h => getComputedStyle(h).height")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".who")).to_have_text(user.name)
    expect(header).to_have_css("height", signed_out)
