"""Share tokens: they round-trip, expire, and refuse tampering, garbage and other keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import string
from datetime import UTC, datetime, timedelta

import pytest

from server.cards import share_tokens
from server.cards.share_tokens import Status, decode, issue

KEY = "a-secret-key-for-share-tokens-" + "x" * 20
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(minutes=10)


def test_a_token_round_trips_its_account_and_generation():
    token = issue(KEY, 123456789012, 7, NOW, TTL)
    assert len(token) == share_tokens.TOKEN_LENGTH
    assert "=" not in token and "+" not in token and "/" not in token
    decoded = decode(KEY, token, NOW + TTL - timedelta(seconds=1))
    assert decoded == share_tokens.Decoded(Status.VALID, 123456789012, 7, expires_at=NOW + TTL)


def test_tokens_differ_by_account_and_generation():
    tokens = {issue(KEY, a, g, NOW, TTL) for a in (1, 2) for g in (0, 1)}
    assert len(tokens) == 4


def test_a_token_expires_at_its_ttl_and_still_says_whose_it_was():
    token = issue(KEY, 42, 3, NOW, TTL)
    expired = share_tokens.Decoded(Status.EXPIRED, 42, 3, expires_at=NOW + TTL)
    assert decode(KEY, token, NOW + TTL) == expired
    assert decode(KEY, token, NOW + timedelta(days=365)).status is Status.EXPIRED


def test_another_key_cannot_read_or_make_tokens():
    token = issue(KEY, 42, 3, NOW, TTL)
    assert decode(KEY + "!", token, NOW).status is Status.MALFORMED
    assert decode(KEY, issue(KEY + "!", 42, 3, NOW, TTL), NOW).status is Status.MALFORMED


def test_every_changed_byte_is_noticed():
    token = issue(KEY, 42, 3, NOW, TTL)
    raw = bytearray(base64.urlsafe_b64decode(token + "=="))
    for index in range(len(raw)):
        tampered = bytearray(raw)
        tampered[index] ^= 0x01
        forged = base64.urlsafe_b64encode(bytes(tampered)).rstrip(b"=").decode()
        assert decode(KEY, forged, NOW).status is Status.MALFORMED, index


def test_a_longer_expiry_cannot_be_forged_into_an_old_token():
    token = issue(KEY, 42, 3, NOW, TTL)
    raw = base64.urlsafe_b64decode(token + "==")
    payload = share_tokens._PAYLOAD.pack(42, 3, int((NOW + timedelta(days=30)).timestamp()))
    forged = base64.urlsafe_b64encode(payload + raw[len(payload) :]).rstrip(b"=").decode()
    assert decode(KEY, forged, NOW + timedelta(days=1)).status is Status.MALFORMED


def test_a_token_has_one_spelling():
    # base64 reads other spellings as the same bytes; each would be a card page kept apart.
    token = issue(KEY, 42, 3, NOW, TTL)
    raw = base64.urlsafe_b64decode(token + "==")
    last = [token[:-1] + c for c in string.ascii_letters + string.digits + "-_"]
    others = [t for t in last if t != token and base64.urlsafe_b64decode(t + "==") == raw]
    others.append(token.replace("-", "+").replace("_", "/"))
    assert len(others) >= 4
    for other in others:
        if other != token:
            assert decode(KEY, other, NOW).status is Status.MALFORMED, other
    assert decode(KEY, token, NOW).status is Status.VALID


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "A" * 37,
        "A" * 39,
        "!" * 38,
        "é" * 38,
        "A" * 38,
        "A" * 36 + "==",
        "AAAA AAAA" * 4 + "AA",
    ],
)
def test_malformed_tokens_are_refused_without_an_exception(token):
    assert decode(KEY, token, NOW) == share_tokens.Decoded(Status.MALFORMED)


def legacy_token(key: str, account_id: int, generation: int, expires: datetime) -> str:
    """A token as made before share ids: the account id, signed with the old key."""
    payload = share_tokens._PAYLOAD.pack(account_id, generation, int(expires.timestamp()))
    mac = hmac.new(share_tokens._key(key, b"share-token"), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(payload + mac[:12]).rstrip(b"=").decode()


def test_an_old_token_is_read_as_an_account_id_until_it_expires():
    token = legacy_token(KEY, 42, 3, NOW + TTL)
    read = share_tokens.Decoded(Status.VALID, None, 3, account_id=42, expires_at=NOW + TTL)
    assert decode(KEY, token, NOW) == read
    assert decode(KEY, token, NOW + TTL).status is Status.EXPIRED
    assert decode(KEY, issue(KEY, 42, 3, NOW, TTL), NOW).account_id is None
