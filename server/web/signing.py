"""Short HMAC signatures for links that must work without a session's CSRF token.

A notification's "Done" and "Snooze" actions are sent by the service worker,
which cannot read the CSRF cookie; the link carries a signature bound to the
follow-up, its owner and the action instead.
"""

from __future__ import annotations

import functools
import hashlib
import hmac


@functools.lru_cache(maxsize=64)
def purpose_key(secret_key: str, purpose: str) -> bytes:
    """One key per purpose, so a signature for one kind of link is no good for another."""
    return hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).digest()


def sign(secret_key: str, purpose: str, *parts: object) -> str:
    key = purpose_key(secret_key, purpose)
    message = "\x1f".join(str(part) for part in parts).encode()
    # hmac.digest: the one-shot C path, a third cheaper (a push signs four links).
    return hmac.digest(key, message, "sha256").hex()[:32]


def verify(secret_key: str, signature: str, purpose: str, *parts: object) -> bool:
    return hmac.compare_digest(signature.encode(), sign(secret_key, purpose, *parts).encode())
