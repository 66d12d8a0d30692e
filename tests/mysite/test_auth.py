"""Bearer tokens: only unexpired access tokens of this pool and app client get in."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from mysite.auth import issuer

ME = "/api/accounts/me"
# cognito-local signs with this published development key; signing with it lets the
# tests mint tokens that are valid in every respect but the one under test.
LOCAL_KEY = json.loads(
    (Path(settings.BASE_DIR) / "devstack/node_modules/cognito-local/lib/keys/cognitoLocal.private.json").read_text()
)["pem"]


def mint(user, **overrides) -> str:
    now = int(time.time())
    claims = {
        "sub": user.sub,
        "client_id": settings.COGNITO_CLIENT_ID,
        "token_use": "access",
        "username": user.sub,
        "iss": issuer(),
        "iat": now,
        "exp": now + 600,
        **overrides,
    }
    return jwt.encode(claims, LOCAL_KEY, algorithm="RS256", headers={"kid": "CognitoLocal"})


def call(api_client, token: str | None):
    if token is not None:
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api_client.get(ME)


def test_real_access_token_is_accepted(api_client, user):
    response = call(api_client, user.access_token)
    assert response.status_code == 200
    assert response.json()["sub"] == user.sub
    assert response.json()["email"] == user.email


def test_minted_token_with_correct_claims_is_accepted(api_client, user):
    """Guards the other tests: a mint with nothing wrong passes, so each 401 below is for its one flaw."""
    assert call(api_client, mint(user)).status_code == 200


def test_missing_token_is_401_with_bearer_challenge(api_client):
    response = call(api_client, None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "flaw",
    [
        {"exp": int(time.time()) - 60, "iat": int(time.time()) - 3600},
        {"client_id": "some-other-app-client"},
        {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Foreign"},
        {"token_use": "id"},
    ],
    ids=["expired", "other-client", "other-issuer", "id-token-use"],
)
def test_token_with_one_wrong_claim_is_401(api_client, user, flaw):
    assert call(api_client, mint(user, **flaw)).status_code == 401


def test_tampered_payload_is_401(api_client, user, make_user):
    other = make_user()
    header, payload, signature = user.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = other.sub
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert call(api_client, f"{header}.{forged_payload}.{signature}").status_code == 401


def test_token_signed_with_another_key_is_401(api_client, user):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = stranger.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    token = jwt.encode(
        {
            "sub": user.sub,
            "client_id": settings.COGNITO_CLIENT_ID,
            "token_use": "access",
            "iss": issuer(),
            "exp": int(time.time()) + 600,
        },
        pem,
        algorithm="RS256",
        headers={"kid": "CognitoLocal"},
    )
    assert call(api_client, token).status_code == 401


def test_alg_none_is_401(api_client, user):
    claims = {
        "sub": user.sub,
        "client_id": settings.COGNITO_CLIENT_ID,
        "token_use": "access",
        "iss": issuer(),
        "exp": int(time.time()) + 600,
    }
    token = jwt.encode(claims, None, algorithm="none")
    assert call(api_client, token).status_code == 401


def test_real_id_token_where_access_token_is_required_is_401(api_client, user):
    assert call(api_client, user.tokens()["IdToken"]).status_code == 401


def test_garbage_and_malformed_headers_are_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    assert api_client.get(ME).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert api_client.get(ME).status_code == 401
