"""Who is asking: Cognito access tokens, verified locally against the pool's JWKS.

Browsers hold their tokens in the server-side session; API clients send
`Authorization: Bearer <access token>`. Either way `request.user` is a light
`CognitoUser` built from the verified token.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field

import jwt
from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from rest_framework import authentication, exceptions

from mysite.constants import BLOG_ROLE_GROUPS, RELEASE_MANAGERS
from mysite.registry import profile_lookup

logger = logging.getLogger(__name__)

SESSION_TOKENS_KEY = "cognito_tokens"
# Refresh a little before expiry, so a token never dies in the middle of a request.
REFRESH_MARGIN_SECONDS = 60


@dataclass(frozen=True)
class CognitoUser:
    sub: str
    username: str
    groups: frozenset[str] = field(default_factory=frozenset)
    email: str = ""
    name: str = ""

    is_authenticated = True
    is_anonymous = False
    is_active = True

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.username

    @property
    def pk(self) -> str:
        return self.sub

    def in_group(self, group: str) -> bool:
        return group in self.groups

    @property
    def blog_role(self) -> str | None:
        """The highest blog staff role of the user's groups (contributor < author < editor < administrator)."""
        roles = [role for group, role in BLOG_ROLE_GROUPS.items() if group in self.groups]
        return roles[-1] if roles else None

    @property
    def is_author(self) -> bool:
        """Blog staff of any role: the admin panel's blog section is theirs (blog.permissions says what they may do)."""
        return self.blog_role is not None

    @property
    def is_release_manager(self) -> bool:
        return RELEASE_MANAGERS in self.groups

    def __str__(self) -> str:
        return self.display_name


class AnonymousUser:
    sub = ""
    username = ""
    email = ""
    name = ""
    display_name = ""
    groups: frozenset[str] = frozenset()
    pk = None
    is_authenticated = False
    is_anonymous = True
    is_active = False
    blog_role = None
    is_author = False
    is_release_manager = False

    def in_group(self, group: str) -> bool:
        return False

    def __str__(self) -> str:
        return "anonymous"


class InvalidToken(Exception):
    """The token is forged, expired, or not meant for this app."""


def issuer() -> str:
    """The `iss` claim the pool puts in its tokens (cognito-local's own address locally)."""
    pool = settings.COGNITO_USER_POOL_ID
    if settings.COGNITO_ENDPOINT_URL:
        return f"{settings.COGNITO_ENDPOINT_URL.rstrip('/')}/{pool}"
    region = pool.split("_", 1)[0]
    return f"https://cognito-idp.{region}.amazonaws.com/{pool}"


@functools.cache
def _jwks_client(jwks_url: str) -> jwt.PyJWKClient:
    """One per process: the keys it caches are immutable, and a concurrent refetch is harmless."""
    return jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)


def verify_token(token: str, *, token_use: str = "access") -> dict:
    """The verified claims of a Cognito token: signature, issuer, expiry, token_use, client."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise InvalidToken("unexpected algorithm")
        signing_key = _jwks_client(f"{issuer()}/.well-known/jwks.json").get_signing_key(header.get("kid"))
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            issuer=issuer(),
            options={"require": ["exp", "iss", "sub", "token_use"], "verify_aud": token_use == "id"},
            audience=settings.COGNITO_CLIENT_ID if token_use == "id" else None,
            leeway=5,
        )
    except jwt.PyJWKClientConnectionError as error:
        logger.warning("JWKS unavailable: %s", error)
        raise InvalidToken("keys unavailable") from error
    except (jwt.InvalidTokenError, jwt.PyJWKClientError) as error:
        raise InvalidToken(str(error)) from error
    if claims.get("token_use") != token_use:
        raise InvalidToken(f"not an {token_use} token")
    if token_use == "access" and claims.get("client_id") != settings.COGNITO_CLIENT_ID:
        raise InvalidToken("token issued to another client")
    return claims


def user_from_claims(claims: dict, *, email: str = "", name: str = "") -> CognitoUser:
    return CognitoUser(
        sub=claims["sub"],
        username=claims.get("username") or claims.get("cognito:username") or claims["sub"],
        groups=frozenset(claims.get("cognito:groups", [])),
        email=email or claims.get("email", ""),
        name=name or claims.get("name", ""),
    )


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR (on Lambda Zappa puts `requestContext.identity.sourceIp` there).

    Behind trusted proxies (CloudFront) REMOTE_ADDR is the proxy's; `TRUSTED_PROXY_COUNT` says how many
    addresses at the right end of X-Forwarded-For those proxies appended, and the leftmost of them is
    the address the outermost trusted proxy saw. Entries further left come from the client and are
    never believed.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def tokens_revoked(claims: dict, profile) -> bool:
    """Whether the token was first issued before the profile's `tokens_valid_after` stamp."""
    stamp = getattr(profile, "tokens_valid_after", None)
    if stamp is None:
        return False
    return claims.get("auth_time", claims.get("iat", 0)) < stamp.timestamp()


# --- Browser sessions -----------------------------------------------------------


def session_sign_in(request: HttpRequest, tokens: dict) -> CognitoUser:
    """Keep a fresh token set in the session (rotating its key) and return the user."""
    id_claims = verify_token(tokens["IdToken"], token_use="id")
    access_claims = verify_token(tokens["AccessToken"])
    if not id_claims.get("name"):  # cognito-local leaves standard attributes out of the id token
        profile = profile_lookup(sub=access_claims["sub"])
        id_claims["name"] = profile.display_name if profile else ""
    previous = request.session.get(SESSION_TOKENS_KEY) or {}
    # A refresh answers no refresh token and, on cognito-local, a fresh auth_time: keep the sign-in's.
    auth_time = previous.get("auth_time") if previous and not tokens.get("RefreshToken") else None
    request.session.cycle_key()
    request.session[SESSION_TOKENS_KEY] = {
        "auth_time": auth_time or access_claims.get("auth_time", access_claims.get("iat", 0)),
        "access": tokens["AccessToken"],
        "refresh": tokens.get("RefreshToken") or previous.get("refresh"),
        "expires_at": access_claims["exp"],
        "email": id_claims.get("email", ""),
        "name": id_claims.get("name", ""),
    }
    request.user = user_from_claims(access_claims, email=id_claims.get("email", ""), name=id_claims.get("name", ""))
    return request.user


def session_rename(request: HttpRequest, name: str) -> None:
    """Show the user's new name in this session at once (their other sessions take it at their next refresh)."""
    stored = request.session.get(SESSION_TOKENS_KEY)
    if stored:
        request.session[SESSION_TOKENS_KEY] = {**stored, "name": name}


def session_user(request: HttpRequest) -> CognitoUser | AnonymousUser:
    """The user of a browser session, refreshing the access token when it is about to expire."""
    stored = request.session.get(SESSION_TOKENS_KEY)
    if not stored:
        return AnonymousUser()
    if stored["expires_at"] - REFRESH_MARGIN_SECONDS <= time.time():
        from mysite import cognito

        try:
            tokens = cognito.refresh_tokens(refresh_token=stored["refresh"])
        except cognito.CognitoError:
            request.session.pop(SESSION_TOKENS_KEY, None)
            return AnonymousUser()
        user = session_sign_in(request, tokens)
        if _session_revoked(request, user.sub):
            return AnonymousUser()
        return user
    try:
        claims = verify_token(stored["access"])
    except InvalidToken:
        request.session.pop(SESSION_TOKENS_KEY, None)
        return AnonymousUser()
    if _session_revoked(request, claims["sub"]):
        return AnonymousUser()
    return user_from_claims(claims, email=stored.get("email", ""), name=stored.get("name", ""))


def _session_revoked(request: HttpRequest, sub: str) -> bool:
    """Drop the session's tokens when they date from before the user's revocation stamp."""
    stored = request.session.get(SESSION_TOKENS_KEY) or {}
    if tokens_revoked({"auth_time": stored.get("auth_time", 0)}, profile_lookup(sub=sub)):
        request.session.pop(SESSION_TOKENS_KEY, None)
        return True
    return False


def session_refresh_token(request: HttpRequest) -> str | None:
    return (request.session.get(SESSION_TOKENS_KEY) or {}).get("refresh")


class CognitoSessionMiddleware:
    """Sets `request.user` (lazily) from the tokens kept in the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.user = SimpleLazyObject(lambda: session_user(request))
        return self.get_response(request)


# --- API authentication -----------------------------------------------------------


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <Cognito access token>`."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be `Bearer <access token>`.")
        try:
            claims = verify_token(header[1].decode("ascii", errors="replace"))
        except InvalidToken as error:
            raise exceptions.AuthenticationFailed(f"Invalid access token: {error}.") from error
        profile = profile_lookup(sub=claims["sub"])
        if tokens_revoked(claims, profile):
            raise exceptions.AuthenticationFailed(
                "Invalid access token: revoked by a sign-out everywhere or a password reset."
            )
        user = user_from_claims(
            claims, email=profile.email if profile else "", name=profile.display_name if profile else ""
        )
        return user, claims

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (with its CSRF check) over the Cognito session user."""

    def authenticate(self, request):
        user = getattr(request._request, "user", None)
        if not user or not user.is_authenticated:
            return None
        self.enforce_csrf(request)
        return user, None
