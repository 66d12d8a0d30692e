"""A Django session engine on DynamoDB (`SESSION_ENGINE = "mysite.sessions"`).

Cognito tokens are too large for a signed cookie, so sessions live server-side;
DynamoDB's TTL removes expired ones, and `load` ignores any not yet swept.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, SessionBase, UpdateError
from django.utils.crypto import get_random_string
from pynamodb.exceptions import DoesNotExist, PutError

from mysite.models import SessionItem


class SessionStore(SessionBase):
    def _get_item(self, session_key: str) -> SessionItem | None:
        try:
            item = SessionItem.get(session_key, consistent_read=True)
        except DoesNotExist:
            return None
        if item.expires_at <= datetime.now(UTC):
            return None
        return item

    def load(self) -> dict:
        item = self._get_item(self.session_key) if self.session_key else None
        if item is None:
            self._session_key = None
            return {}
        return self.decode(item.data)

    def _get_new_session_key(self) -> str:
        # save(must_create=True) writes only if the key is free (CreateError otherwise), so the
        # exists() read Django does first is a wasted GetItem on every sign-in.
        return get_random_string(32, VALID_KEY_CHARS)

    def exists(self, session_key: str) -> bool:
        return self._get_item(session_key) is not None

    def create(self) -> None:
        while True:
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        item = SessionItem(
            self._session_key,
            data=self.encode(self._get_session(no_load=must_create)),
            expires_at=datetime.now(UTC) + timedelta(seconds=self.get_expiry_age()),
        )
        condition = SessionItem.session_key.does_not_exist() if must_create else SessionItem.session_key.exists()
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            if must_create:
                raise CreateError from error
            raise UpdateError from error  # deleted meanwhile (signed out elsewhere)

    def delete(self, session_key: str | None = None) -> None:
        session_key = session_key or self.session_key
        if session_key:
            SessionItem(session_key).delete()

    @classmethod
    def clear_expired(cls) -> None:
        """Nothing to do: DynamoDB's TTL deletes expired sessions."""
