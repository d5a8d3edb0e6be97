"""A software WebAuthn authenticator for HTTP-level tests: it makes passkeys (ES256, "none"
attestation) and signs assertions as a phone's keychain would, so the server's checks run on
real answers; tests can then tamper with them. The browser tests use Chromium's own virtual
authenticator instead."""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, encode_cbor


def b64(data: bytes) -> str:
    return bytes_to_base64url(data)


@dataclass
class Passkey:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    user_handle: bytes
    rp_id: str
    sign_count: int = 0


@dataclass
class SoftAuthenticator:
    origin: str
    passkeys: list[Passkey] = field(default_factory=list)

    def _client_data(self, kind: str, challenge: str, origin: str | None = None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin}
        ).encode()

    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        credential_id: bytes | None = None,  # one of its choosing (another's, by a tamperer)
    ) -> dict[str, Any]:
        key = ec.generate_private_key(ec.SECP256R1())
        numbers = key.public_key().public_numbers()
        cose = encode_cbor(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        passkey = Passkey(
            credential_id or secrets.token_bytes(16),
            key,
            base64url_to_bytes(options["user"]["id"]),
            options["rp"]["id"],
        )
        self.passkeys.append(passkey)
        auth_data = (
            hashlib.sha256(passkey.rp_id.encode()).digest()
            + bytes([0x45])  # user present, user verified, attested credential data
            + struct.pack(">I", 0)
            + bytes(16)  # AAGUID
            + struct.pack(">H", len(passkey.credential_id))
            + passkey.credential_id
            + cose
        )
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": b64(passkey.credential_id),
            "rawId": b64(passkey.credential_id),
            "type": "public-key",
            "response": {"clientDataJSON": b64(client_data), "attestationObject": b64(attestation)},
            "clientExtensionResults": {},
        }

    def get(
        self, options: dict[str, Any], *, passkey: Passkey | None = None, origin: str | None = None
    ) -> dict[str, Any]:
        passkey = passkey or self.passkeys[-1]
        passkey.sign_count += 1
        auth_data = (
            hashlib.sha256(passkey.rp_id.encode()).digest()
            + bytes([0x05])  # user present, user verified
            + struct.pack(">I", passkey.sign_count)
        )
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = passkey.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64(passkey.credential_id),
            "rawId": b64(passkey.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
                "userHandle": b64(passkey.user_handle),
            },
            "clientExtensionResults": {},
        }
