"""Share codes: unguessable, expiring tokens for ``/c/<token>``, kept by nobody.

A token is signed (HMAC-SHA256 with a key derived from SECRET_KEY) and carries
the card's opaque ``share_id``, its share generation and an expiry, so showing the QR
writes nothing; resetting bumps the generation and every older code stops working.

An NFC tag is written once and stays on a badge or a phone case, so its token
(``issue_for_tag``) carries the expiry ``NEVER``: the same kind of token, read by
the same ``decode``, that lasts until the owner resets their code.

Tokens made before share ids carried the account's sequential id, signed with another
key: they are still read (``Decoded.account_id``) until they expire or are reset.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import functools
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_PAYLOAD = struct.Struct(">QII")  # share id, generation, expiry (unix seconds)
_MAC_BYTES = 12
TOKEN_LENGTH = 38  # base64url of 16 + 12 bytes, unpadded
NEVER = 0xFFFFFFFF  # the expiry of a tag's token (the year 2106): only a reset ends it


class Status(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class Decoded:
    """A token read: the card's ``share_id``, or for an old token its ``account_id``."""

    status: Status
    share_id: int | None = None
    generation: int = 0
    account_id: int | None = None
    # When it stops working; None: never (a tag's, until the code is reset).
    expires_at: datetime | None = None


# Which key signed a token says what its first field is.
_SHARE_ID = b"share-token-2"
_ACCOUNT_ID = b"share-token"


# A pure function of the secret: derived once, not twice for every card page and swap.
@functools.lru_cache(maxsize=8)
def _key(secret_key: str, context: bytes = _SHARE_ID) -> bytes:
    return hmac.new(secret_key.encode(), context, hashlib.sha256).digest()


def issue(secret_key: str, share_id: int, generation: int, now: datetime, ttl: timedelta) -> str:
    return _token(secret_key, share_id, generation, int((now + ttl).timestamp()))


def issue_for_tag(secret_key: str, share_id: int, generation: int) -> str:
    """A token for an NFC tag: valid until the card's generation changes ("reset my code")."""
    return _token(secret_key, share_id, generation, NEVER)


def _token(secret_key: str, share_id: int, generation: int, expires: int) -> str:
    payload = _PAYLOAD.pack(share_id, generation, expires)
    mac = hmac.new(_key(secret_key), payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(payload + mac).rstrip(b"=").decode()


def decode(secret_key: str, token: str, now: datetime) -> Decoded:
    read = _read(secret_key, token)
    if read.status is Status.MALFORMED or read.expires_at is None:
        return read
    if now < read.expires_at:
        return read
    return dataclasses.replace(read, status=Status.EXPIRED)


# What a token says, whenever it is read: a crowd scanning a few QR codes sends the same
# tokens again and again, and checking the signature was a twentieth of a card page's time.
@functools.lru_cache(maxsize=4096)
def _read(secret_key: str, token: str) -> Decoded:
    """The token's fields if we signed it (as VALID: ``decode`` says whether it expired)."""
    if len(token) != TOKEN_LENGTH or not token.isascii():
        return Decoded(Status.MALFORMED)
    try:
        raw = base64.urlsafe_b64decode(token + "==")
    except (binascii.Error, ValueError):
        return Decoded(Status.MALFORMED)
    # One spelling per token: base64 reads "+" as "-" and ignores the last character's low
    # bits, so a token could be written sixteen ways, each kept apart (a card page per token).
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != token:
        return Decoded(Status.MALFORMED)
    payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    if len(mac) != _MAC_BYTES:
        return Decoded(Status.MALFORMED)
    ref, generation, expires = _PAYLOAD.unpack(payload)
    expires_at = None if expires == NEVER else datetime.fromtimestamp(expires, UTC)
    for context in (_SHARE_ID, _ACCOUNT_ID):
        expected = hmac.new(_key(secret_key, context), payload, hashlib.sha256).digest()
        if hmac.compare_digest(mac, expected[:_MAC_BYTES]):
            if context == _SHARE_ID:
                return Decoded(Status.VALID, ref, generation, expires_at=expires_at)
            return Decoded(
                Status.VALID, generation=generation, account_id=ref, expires_at=expires_at
            )
    return Decoded(Status.MALFORMED)
