"""Sessions in the database, as Django keeps them, except that a cookie naming a key Django never issues is no
session at all (settings.SESSION_ENGINE)."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    """A key with a character Django never puts in one is treated as Django treats a key too short: the visitor
    gets a new session. Django would look it up, and a forged cookie's NUL (`sessionid="\\000…"`) is a character
    PostgreSQL cannot even compare: every page would answer 500."""

    def _validate_session_key(self, key):
        return bool(super()._validate_session_key(key)) and set(key) <= KEY_CHARS
