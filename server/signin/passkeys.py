"""Passkeys with the ``webauthn`` package: discoverable credentials, no attestation. A passkey
lives in the phone's keychain, so it works in Safari and in the installed app alike. User
verification (face, fingerprint, PIN) is preferred for signing in, and required when a passkey
proves an account is its owner's (before deleting or merging it, adding a way of proof):
holding the unlocked phone is not proof. So it is required when a passkey is added too: one
that cannot ask (some security keys, password managers) would be a way of proof that never
proves, and lock its owner out of all that. A passkey added before that (nothing says whether
its phone asked) proves with a tap, as it always did, until one of its answers says its phone
asked (``verifies_user``, set by the next sign-in or proof that does); from then on its proofs
must ask. It stays a way of proof all along: were it none, whoever holds the unlocked phone
could add their own passkey and remove it, with no proof at all.

Challenges are kept in PostgreSQL (any web process checks the answer), good for five minutes
and once: a replayed answer finds its challenge gone. The relying party is BASE_URL's host and
the expected origin BASE_URL's origin, so a passkey of another site, or an answer made for
another origin, is refused.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import webauthn
from webauthn.helpers import (
    base64url_to_bytes,
    generate_challenge,
    generate_user_handle,
    parse_attestation_object,
    parse_authentication_credential_json,
    parse_authenticator_data,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidRegistrationResponse,
    WebAuthnException,
)
from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from server.db.queries import Queries

RP_NAME = "Reachout"


class Refused(ValueError):
    """The browser's answer cannot be accepted; the message says why, readably."""


UNREADABLE = "The passkey's answer could not be read. Please try again."
ALREADY_IN_USE = "That passkey is already in use."
# Refused once the phone made its passkey: the phone lists one that Reachout never saved.
ON_THE_PHONE = (
    "Your phone may now list a passkey for Reachout that doesn't work: you can delete it in"
    " your phone's settings."
)
NOT_VERIFIED_ADD = (
    "This passkey didn't ask for your face, fingerprint or PIN, so it could not be added: it"
    f" could never confirm it's you. Use a phone or key that asks for one. {ON_THE_PHONE}"
)
EXPIRED = "That passkey request has expired or was already used. Please try again."
EXPIRED_ADD = (
    "Your passkey was not added: the request had expired or was already used. Add it again."
    f" {ON_THE_PHONE}"
)
NOT_ADDED = f"That passkey could not be added. Please try again. {ON_THE_PHONE}"
NOT_OURS = "That passkey is not one of ours: it may have been removed."
NOT_SIGNED_IN = "That passkey could not sign you in. Please try again, or sign in by email."
NOT_CONFIRMED = "That passkey could not confirm it's you. Please try again, or use another way."
# Its signature counter went back: two copies of one passkey, or one reset; either way no proof.
COPIED = (
    "This passkey looks copied or reset. Remove it in Settings and add it again, or sign in by"
    " email."
)
NOT_VERIFIED = (
    "This passkey didn't ask for your face, fingerprint or PIN, so it can't confirm it's you. "
    "Use a passkey that does, or Email me a code."
)


def rp_id(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


async def registration_options(
    conn: Any, sql: Queries, base_url: str, account_id: int, name: str, email: str
) -> str:
    handle = await sql.run(
        conn, "passkeys.user_handle", account_id=account_id, new_handle=generate_user_handle()
    )
    existing = await sql.run(conn, "passkeys.for_account", account_id=account_id)
    options = webauthn.generate_registration_options(
        rp_id=rp_id(base_url),
        rp_name=RP_NAME,
        user_id=bytes(handle),
        user_name=email or name,
        user_display_name=name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(row["credential_id"])) for row in existing
        ],
    )
    await sql.run(
        conn,
        "passkeys.new_challenge",
        challenge=options.challenge,
        purpose="register",
        account_id=account_id,
    )
    return webauthn.options_to_json(options)


async def authentication_options(
    conn: Any,
    sql: Queries,
    base_url: str,
    allow: list[bytes] | None = None,
    verification: UserVerificationRequirement = UserVerificationRequirement.PREFERRED,
) -> str:
    """A challenge; with ``allow`` (credential ids), the phone offers only those passkeys (one
    account's, when its owner confirms it is them)."""
    challenge = generate_challenge()
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(base_url),
        challenge=challenge,
        user_verification=verification,
        allow_credentials=[PublicKeyCredentialDescriptor(id=c) for c in allow or []],
    )
    await sql.run(
        conn, "passkeys.new_challenge", challenge=challenge, purpose="authenticate", account_id=None
    )
    return webauthn.options_to_json(options)


def _challenge_of(credential: object) -> bytes:
    """The challenge the browser answered; Refused for anything that is not an answer."""
    try:
        if not isinstance(credential, dict):
            raise TypeError("not a JSON object")
        client_data = base64url_to_bytes(credential["response"]["clientDataJSON"])
        return parse_client_data_json(client_data).challenge
    # The package's own parse errors (a clientDataJSON of "{}") are no ValueError.
    except (KeyError, TypeError, ValueError, json.JSONDecodeError, WebAuthnException) as error:
        raise Refused(UNREADABLE) from error


def _created_verified(credential: Any) -> bool:
    """Whether the phone says it asked for a face, fingerprint or PIN when it made the passkey
    (to word a refusal: True when that cannot be read, so that the refusal gives the other
    reason)."""
    try:
        attestation = parse_attestation_object(
            base64url_to_bytes(credential["response"]["attestationObject"])
        )
        return bool(attestation.auth_data.flags.uv)
    except (KeyError, TypeError, ValueError, WebAuthnException):
        return True


def user_verified(credential: Any) -> bool:
    """Whether the phone says it asked for a face, fingerprint or PIN (for an answer already
    checked, or to word a refusal: True when that cannot be read, so that the refusal gives
    the other reason)."""
    try:
        data = base64url_to_bytes(credential["response"]["authenticatorData"])
        return bool(parse_authenticator_data(data).flags.uv)
    except (KeyError, TypeError, ValueError, WebAuthnException):
        return True


def _count_behind(credential: Any, current: int) -> bool:
    """Whether the answer's signature counter is not past the one kept (as the package checks
    it): a copied or reset passkey, not a mistyped answer."""
    try:
        data = base64url_to_bytes(credential["response"]["authenticatorData"])
        count = parse_authenticator_data(data).sign_count
    except (KeyError, TypeError, ValueError, WebAuthnException):
        return False
    return (count > 0 or current > 0) and count <= current


def _registration(credential: Any) -> RegistrationCredential:
    """The answer read as the package reads it; Refused when it cannot be, so that the
    package's refusal after it is about the passkey, not about the answer's shape."""
    try:
        return parse_registration_credential_json(credential)
    # Its parser wraps some errors and lets others through: a field that is no base64url
    # ("a", or "éé": binascii.Error, a ValueError).
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise Refused(UNREADABLE) from error


def _authentication(credential: Any) -> AuthenticationCredential:
    """As ``_registration``, for an answer signing in or proving (a userHandle of "a" or "éé"
    is a ValueError the package lets through)."""
    try:
        return parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise Refused(UNREADABLE) from error


async def _take(
    conn: Any, sql: Queries, challenge: bytes, purpose: str, account: int | None, expired: str
) -> None:
    live = await sql.run(
        conn, "passkeys.take_challenge", challenge=challenge, purpose=purpose, account_id=account
    )
    if not live:
        raise Refused(expired)


async def register(
    conn: Any, sql: Queries, base_url: str, account_id: int, credential: Any, name: str
) -> None:
    challenge = _challenge_of(credential)
    await _take(conn, sql, challenge, "register", account_id, EXPIRED_ADD)
    parsed = _registration(credential)
    try:
        verified = webauthn.verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp_id(base_url),
            expected_origin=origin(base_url),
            require_user_verification=True,
        )
    except InvalidRegistrationResponse as error:
        if not _created_verified(credential):
            raise Refused(NOT_VERIFIED_ADD) from error
        raise Refused(NOT_ADDED) from error
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:  # parts malformed
        raise Refused(UNREADABLE) from error
    added = await sql.run(
        conn,
        "passkeys.add",
        account_id=account_id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=name,
    )
    if added is None:
        # Never taken from another account: a passkey signs in to the account that added it
        # (or the one that account was merged into).
        raise Refused(ALREADY_IN_USE)


async def authenticate(
    conn: Any, sql: Queries, base_url: str, credential: Any, *, verified_user: bool = False
) -> int:
    """The account the passkey signs in to; Refused with a readable reason. With
    ``verified_user`` (a proof), only an answer for which the phone asked for a face,
    fingerprint or PIN counts, from a passkey whose phone has said it asks
    (``verifies_user``); one added before passkeys had to ask may answer with a tap until it
    does. An answer for which it asked marks the passkey so."""
    challenge = _challenge_of(credential)
    await _take(conn, sql, challenge, "authenticate", None, EXPIRED)
    try:
        credential_id = base64url_to_bytes(credential["rawId"])
    except (KeyError, TypeError, ValueError) as error:
        raise Refused(UNREADABLE) from error
    passkey = await sql.run(conn, "passkeys.by_credential", credential_id=credential_id)
    if passkey is None:
        raise Refused(NOT_OURS)
    # A passkey whose phone may never ask (a security key that only takes a tap) would
    # otherwise lock its owner out of every proof; once its phone has asked, it always can.
    must_ask = verified_user and bool(passkey["verifies_user"])
    parsed = _authentication(credential)
    try:
        verified = webauthn.verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp_id(base_url),
            expected_origin=origin(base_url),
            credential_public_key=bytes(passkey["public_key"]),
            credential_current_sign_count=passkey["sign_count"],
            require_user_verification=must_ask,
        )
    except InvalidAuthenticationResponse as error:
        if must_ask and not user_verified(credential):
            raise Refused(NOT_VERIFIED) from error
        if _count_behind(credential, passkey["sign_count"]):
            raise Refused(COPIED) from error
        # The package's own words (origins, counts) mean nothing to the person holding it.
        raise Refused(NOT_CONFIRMED if verified_user else NOT_SIGNED_IN) from error
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:  # parts malformed
        raise Refused(UNREADABLE) from error
    # Its account read again under the row's lock: a merge that moved the passkey meanwhile
    # (its source account gone) has committed by now, and the passkey is its target's.
    account_id = await sql.run(
        conn,
        "passkeys.used",
        id=passkey["id"],
        sign_count=verified.new_sign_count,
        user_verified=verified.user_verified,
    )
    if account_id is None:  # its account deleted meanwhile, and the passkey with it
        raise Refused(NOT_OURS)
    return int(account_id)


async def options_for_account(conn: Any, sql: Queries, base_url: str, account_id: int) -> str:
    """A challenge the phone answers with one of ``account_id``'s passkeys: its owner
    confirming it is them (before deleting it, or merging it into another). The phone is told
    to ask for a face, fingerprint or PIN; only "preferred" while one of them was added before
    passkeys had to ask, as a key that cannot ask would then give no answer at all (a phone
    that can ask still does, and ``authenticate`` holds each passkey to what it has shown)."""
    theirs = await sql.run(conn, "passkeys.for_account", account_id=account_id)
    all_ask = all(row["verifies_user"] for row in theirs)
    return await authentication_options(
        conn,
        sql,
        base_url,
        allow=[bytes(row["credential_id"]) for row in theirs],
        verification=(
            UserVerificationRequirement.REQUIRED
            if all_ask
            else UserVerificationRequirement.PREFERRED
        ),
    )


async def authenticate_as(
    conn: Any, sql: Queries, base_url: str, credential: Any, account_id: int, not_theirs: str
) -> None:
    """The answer is one of ``account_id``'s passkeys; else Refused, with ``not_theirs`` for
    another account's. The phone must have asked for a face, fingerprint or PIN, unless the
    passkey was added before that was required and its phone has never said it asks
    (``authenticate``): an answer without it from one that has is refused."""
    if await authenticate(conn, sql, base_url, credential, verified_user=True) != account_id:
        raise Refused(not_theirs)
