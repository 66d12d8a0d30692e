"""The schema and the server agree where the 50-example fuzz found them apart."""

from __future__ import annotations

import random
import re
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from rest_framework import serializers

from accounts.models import Profile
from mysite import cognito
from mysite.apis import StrictSerializer, validated

SCHEMA_PATH = "/api/schema/?format=json"


@pytest.fixture(scope="module")
def schema():
    from django.test import Client

    return Client().get(SCHEMA_PATH).json()


def test_the_sign_up_schema_states_that_a_display_name_has_no_control_characters(schema):
    stated = schema["components"]["schemas"]["SignUpApiInputRequest"]["properties"]["display_name"]["pattern"]
    pattern = re.sub(r"\$$", r"\\Z", stated)  # ECMA's `$` is the end of the text; Python's also takes a final "\n"
    for refused in ("Evil\nBcc: x", "tab\there", "del\x7f", "c1\x85", "line\u2028sep", "\u202egnp.exe", "a\u200bb"):
        assert re.search(pattern, refused) is None, refused
    for allowed in ("Zoë O'Brien", "👩‍💻 dev", "日本語", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"):
        assert re.search(pattern, allowed) is not None, allowed
    # The pattern and the server's check agree on every character of the Basic Multilingual Plane.
    for code in (c for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF):
        character = chr(code)
        assert (re.search(pattern, character) is None) == _server_refuses(character), hex(code)


def _server_refuses(name: str) -> bool:
    from django.core.exceptions import ValidationError

    from accounts.validators import validate_display_name

    try:
        validate_display_name(name)
    except ValidationError:
        return True
    return False


@pytest.mark.parametrize(
    ("component", "field"), [("SignUpApiInputRequest", "password"), ("PasswordResetApiInputRequest", "new_password")]
)
def test_the_schema_states_the_pools_password_policy_as_the_service_checks_it(schema, component, field):
    """cognito-local applies no policy, so the service checks it; the schema says the same, so that a
    password it allows is never refused (a fuzzed one, say)."""
    stated = schema["components"]["schemas"][component]["properties"][field]
    assert stated["minLength"] == cognito.PASSWORD_POLICY["MinimumLength"]
    rng = random.Random(20261207)
    alphabet = "aZ9 -é\n\t\x0b\u2028\u00a0\x1c"
    samples = ["alllowercaseletters", "ONLYCAPITALS123", "1234567890-=", "correct-horse-9", "9a", "a\n9", "É1234567ab"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(300)]
    pattern = re.sub(r"\$$", r"\\Z", stated["pattern"])  # ECMA's `$`: the end of the text, as Python's \Z
    for password in samples:
        assert (re.search(pattern, password) is not None) == (
            cognito.password_problem(password, length=False) is None
        ), password


@pytest.mark.parametrize("password", ["abcdefgh1 ", " abcdefgh12", "abcde\nfgh12"])
def test_a_password_is_taken_as_typed_and_one_cognito_would_refuse_is_a_400(api_client, password):
    """The serializer trimmed spaces, so `abcdefgh1 ` (10 characters: the schema's minimum) was a 400 for its
    length; it is now refused for what it is, as AWS Cognito refuses it (no space first or last, no line break)."""
    from tests.conftest import unique_email

    body = {"email": unique_email("shape"), "password": password, "display_name": "Shape"}
    refused = api_client.post("/api/accounts/sign-up", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["password"] == [cognito.password_problem(password)]
    assert cognito.password_problem(password) != cognito.password_problem("short")


def test_strict_request_bodies_say_additional_properties_false_and_stay_required(schema):
    components = schema["components"]["schemas"]
    assert components["BeaconApiInputRequest"]["additionalProperties"] is False
    assert components["PatchedMeApiInputRequest"]["additionalProperties"] is False
    assert components["TodosListCreateInputRequest"]["additionalProperties"] is False
    assert schema["paths"]["/api/updates/beacons"]["post"]["requestBody"]["required"] is True
    # A serializer that is not strict keeps the default (sign-up ignores nothing it is not given).
    assert "additionalProperties" not in components["SignUpApiInputRequest"]


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_sign_out_with_a_token_over_the_maximum_is_400_even_when_its_tail_is_whitespace(api_client, content_type):
    token = "x" * 8192 + " "
    body = urlencode({"refresh_token": token}) if content_type.endswith("urlencoded") else {"refresh_token": token}
    response = api_client.post("/api/accounts/sign-out", body, content_type=content_type)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["refresh_token"]


def test_me_update_takes_json_only_and_a_form_is_415_changing_nothing(bearer_client, user):
    client = bearer_client(user)
    response = client.generic(
        "PATCH", "/api/accounts/me", "display_name=&version=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert Profile.get(user.sub).display_name == "Test User"


def test_me_update_naming_nothing_still_refuses_a_malformed_if_match(bearer_client, user):
    response = bearer_client(user).patch("/api/accounts/me", {}, format="json", HTTP_IF_MATCH="MBG:")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["If-Match"]


class _Optional(StrictSerializer):
    count = serializers.IntegerField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


def test_a_strict_serializer_refuses_a_blank_form_field_that_may_not_be_blank():
    with pytest.raises(serializers.ValidationError) as refused:
        validated(_Optional, QueryDict("count=&note="))
    assert refused.value.detail == {"count": ["This field may not be blank."]}
    assert validated(_Optional, QueryDict("note=")) == {"note": ""}
    assert validated(_Optional, QueryDict("count=3")) == {"count": 3}


def test_the_attachment_file_name_limit_the_schema_states_is_the_services(schema, api):
    from tests.todos.conftest import create_task
    from todos.services import MAX_FILE_NAME

    stated = schema["components"]["schemas"]["TodosAttachmentStartInputRequest"]["properties"]["file_name"]
    assert stated["maxLength"] == MAX_FILE_NAME
    task = create_task(api, title="Files")
    url = f"/api/todos/tasks/{task['id']}/attachments"
    longest = api.post(url, {"file_name": "a" * (MAX_FILE_NAME - 4) + ".txt", "size": 5}, format="json")
    assert longest.status_code == 201, longest.content
    over = api.post(url, {"file_name": "a" * MAX_FILE_NAME + ".txt", "size": 5}, format="json")
    assert over.status_code == 400
    assert list(over.json()["error"]["fields"]) == ["file_name"]
