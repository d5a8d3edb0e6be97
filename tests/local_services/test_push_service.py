"""The local push service (server/local_services) checks and decrypts like a real one.

Messages are encrypted by the ``webpush`` package (the sender the app uses) and POSTed
over HTTPS with aiohttp, trusting only the service's own certificate. The VAPID JWT is
built here with pyjwt, because webpush drops the port from ``aud`` and forces ``mailto:``.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from webpush import WebPush
from webpush.types import WebPushSubscription
from webpush.vapid import VAPID

from server.local_services.push_service import (
    BrowserSubscription,
    LocalPushService,
    Received,
    b64url_decode,
    decrypt_aes128gcm,
)

PAYLOAD = json.dumps(
    {"title": "Reach out to Dana Lee", "body": "Intros to recruiters — fashion ✓", "url": "/c/1"},
    ensure_ascii=False,
).encode()
MAX_PLAINTEXT = 4096 - 86 - 16 - 1  # one record: header, tag and padding delimiter


@dataclass
class Sender:
    """An application server: a VAPID key pair, encrypting with the webpush package."""

    private_pem: bytes
    public_pem: bytes
    key: str  # applicationServerKey: base64url of the uncompressed point

    @classmethod
    def generate(cls) -> Sender:
        return cls(*VAPID.generate_keys())

    def webpush(self) -> WebPush:
        return WebPush(self.private_pem, self.public_pem, subscriber="ops@example.com", ttl=60)

    def encrypt(self, payload: bytes, subscription: BrowserSubscription) -> bytes:
        target = WebPushSubscription.model_validate(subscription.to_json())
        encrypted: bytes = self.webpush().get(payload, target).encrypted
        return encrypted

    def token(self, origin: str, **claims: Any) -> str:
        """A VAPID JWT for the push service at ``origin``; a claim given as None is left out."""
        payload = {"aud": origin, "exp": int(time.time()) + 12 * 3600, "sub": "mailto:ops@a.test"}
        payload.update(claims)
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode(payload, self.private_pem, algorithm="ES256")

    def authorization(self, origin: str, **claims: Any) -> str:
        return f"vapid t={self.token(origin, **claims)}, k={self.key}"

    def headers(self, service: LocalPushService, **overrides: str | None) -> dict[str, str]:
        headers: dict[str, str | None] = {
            "Authorization": self.authorization(service.origin),
            "TTL": "60",
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        headers.update(overrides)
        return {name: value for name, value in headers.items() if value is not None}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def reason(self) -> str:
        return str(json.loads(self.body)["reason"])


async def post(
    http: aiohttp.ClientSession, endpoint: str, body: bytes, headers: dict[str, str]
) -> Answer:
    async with http.post(endpoint, data=body, headers=headers) as response:
        return Answer(response.status, dict(response.headers), await response.text())


@pytest.fixture
async def service() -> AsyncIterator[LocalPushService]:
    async with LocalPushService() as push_service:
        yield push_service


@pytest.fixture
async def http(service: LocalPushService) -> AsyncIterator[aiohttp.ClientSession]:
    connector = aiohttp.TCPConnector(ssl=service.ssl_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


@pytest.fixture(scope="module")
def sender() -> Sender:
    return Sender.generate()


async def send(
    http: aiohttp.ClientSession,
    service: LocalPushService,
    sender: Sender,
    subscription: BrowserSubscription,
    payload: bytes = PAYLOAD,
    **headers: str | None,
) -> Answer:
    body = sender.encrypt(payload, subscription)
    return await post(http, subscription.endpoint, body, sender.headers(service, **headers))


def test_decryption_matches_the_rfc_8291_example() -> None:
    """RFC 8291 section 5, byte for byte: the user agent's keys decrypt the example body."""
    ua_private = ec.derive_private_key(
        int.from_bytes(b64url_decode("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"), "big"),
        ec.SECP256R1(),
    )
    body = b64url_decode(
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
        "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
        "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    )
    auth = b64url_decode("BTBZMqHH6r4Tts7J_aSIgg")
    plaintext = decrypt_aes128gcm(body, ua_private, auth)
    assert plaintext == b"When I grow up, I want to be a watermelon"


async def test_subscription_looks_like_a_browsers(service: LocalPushService) -> None:
    subscription = service.subscribe()
    data = subscription.to_json()
    assert data == {
        "endpoint": f"{service.origin}/push/{subscription.id}",
        "expirationTime": None,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    assert service.origin.startswith("https://127.0.0.1:")
    assert "=" not in subscription.p256dh + subscription.auth
    assert len(b64url_decode(subscription.p256dh)) == 65
    assert len(b64url_decode(subscription.auth)) == 16
    assert service.subscribe().p256dh != subscription.p256dh


async def test_clients_must_trust_the_services_own_certificate(
    service: LocalPushService, sender: Sender
) -> None:
    subscription = service.subscribe()
    body = sender.encrypt(PAYLOAD, subscription)
    async with aiohttp.ClientSession() as untrusting:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await post(untrusting, subscription.endpoint, body, sender.headers(service))
    context = ssl.create_default_context(cafile=service.ca_file)
    connector = aiohttp.TCPConnector(ssl=context)
    async with aiohttp.ClientSession(connector=connector) as trusting:
        assert (
            await post(trusting, subscription.endpoint, body, sender.headers(service))
        ).status == 201
    localhost = subscription.endpoint.replace("127.0.0.1", "localhost")
    service.script(subscription, [204])
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as by_name:
        assert (await post(by_name, localhost, b"", {})).status == 204


async def test_a_valid_message_is_decrypted_to_the_exact_plaintext(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    other = service.subscribe()
    answer = await send(
        http, service, sender, subscription, Urgency="high", Topic="contact-42", TTL="3600"
    )
    assert answer.status == 201, answer.body
    assert answer.headers["Location"].startswith(f"{service.origin}/message/")

    [received] = await service.wait_for(1)
    assert received.payload == PAYLOAD
    assert received.json()["body"] == "Intros to recruiters — fashion ✓"
    assert received.subscription_id == subscription.id
    assert (received.ttl, received.urgency, received.topic) == (3600, "high", "contact-42")
    assert received.claims["aud"] == service.origin
    assert received.claims["sub"] == "mailto:ops@a.test"
    assert received.vapid_key == sender.key
    assert answer.headers["Location"].endswith(received.message_id)
    assert service.received_for(subscription) == [received]
    assert service.received_for(other) == []
    assert service.requests == 1


async def test_the_largest_single_record_fits_and_one_byte_more_is_413(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    biggest = os.urandom(MAX_PLAINTEXT)
    assert (await send(http, service, sender, subscription, biggest)).status == 201
    answer = await send(http, service, sender, subscription, biggest + b"x")
    assert (answer.status, answer.reason) == (413, "PayloadTooLarge")
    assert [r.payload for r in service.received] == [biggest]


async def test_the_webpush_packages_own_jwt_is_refused_for_its_aud_without_port(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    message = sender.webpush().get(
        PAYLOAD, WebPushSubscription.model_validate(subscription.to_json())
    )
    token = message.headers["authorization"].split("t=")[1].split(",")[0]
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == "https://127.0.0.1"
    answer = await post(http, subscription.endpoint, message.encrypted, dict(message.headers))
    assert (answer.status, answer.reason) == (403, "BadJwtToken")
    assert "aud 'https://127.0.0.1'" in answer.body
    assert service.received == []
    assert service.requests == 1


async def test_a_jwt_signed_by_another_key_than_k_is_refused(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    token = Sender.generate().token(service.origin)
    forged = f"vapid t={token}, k={sender.key}"
    answer = await send(http, service, sender, subscription, Authorization=forged)
    assert (answer.status, answer.reason) == (403, "BadJwtToken")
    assert "signature" in answer.body
    assert service.received == []


async def test_only_the_expected_application_server_key_is_accepted(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    service.expected_public_key = Sender.generate().key
    answer = await send(http, service, sender, subscription)
    assert (answer.status, answer.reason) == (403, "VapidPublicKeyMismatch")

    service.expected_public_key = sender.key
    assert (await send(http, service, sender, subscription)).status == 201

    pinned = service.subscribe(application_server_key=Sender.generate().key)
    answer = await send(http, service, sender, pinned)
    assert (answer.status, answer.reason) == (403, "VapidPublicKeyMismatch")
    assert len(service.received) == 1


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        (lambda origin: {"exp": int(time.time()) + 25 * 3600}, "ahead"),
        (lambda origin: {"exp": int(time.time()) - 60}, "in the past"),
        (lambda origin: {"exp": None}, "exp is missing"),
        (lambda origin: {"sub": "ops@example.com"}, "sub 'ops@example.com'"),
        (lambda origin: {"sub": None}, "sub None"),
        (lambda origin: {"aud": origin + "/"}, "is not the push service origin"),
        (lambda origin: {"aud": origin.replace("127.0.0.1", "localhost")}, "aud"),
        (lambda origin: {"aud": [origin]}, "aud"),
    ],
    ids=[
        "exp-25h",
        "exp-past",
        "no-exp",
        "sub-not-uri",
        "no-sub",
        "aud-trailing-slash",
        "aud-other-host",
        "aud-list",
    ],
)
async def test_bad_vapid_claims_are_403(
    service: LocalPushService,
    http: aiohttp.ClientSession,
    sender: Sender,
    claims: Callable[[str], dict[str, Any]],
    detail: str,
) -> None:
    subscription = service.subscribe()
    authorization = sender.authorization(service.origin, **claims(service.origin))
    answer = await send(http, service, sender, subscription, Authorization=authorization)
    assert (answer.status, answer.reason) == (403, "BadJwtToken")
    assert detail in answer.body
    assert service.received == []


async def test_a_jwt_valid_for_exactly_24_hours_is_accepted(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    authorization = sender.authorization(
        service.origin, exp=int(time.time()) + 24 * 3600, sub="https://reachout.example/"
    )
    answer = await send(http, service, sender, subscription, Authorization=authorization)
    assert answer.status == 201, answer.body


@pytest.mark.parametrize(
    ("headers", "status", "reason"),
    [
        ({"TTL": None}, 400, "MissingTTL"),
        ({"TTL": "-1"}, 400, "BadTTL"),
        ({"TTL": "soon"}, 400, "BadTTL"),
        ({"Content-Encoding": None}, 400, "MissingContentEncoding"),
        ({"Content-Encoding": "aesgcm"}, 415, "UnsupportedContentEncoding"),
        ({"Urgency": "urgent"}, 400, "BadUrgency"),
        ({"Topic": "t" * 33}, 400, "BadTopic"),
        ({"Topic": "contact.42"}, 400, "BadTopic"),
        ({"Authorization": None}, 403, "MissingAuthorization"),
        ({"Authorization": "WebPush eyJ"}, 403, "BadAuthorization"),
        ({"Authorization": "vapid t=abc"}, 403, "BadAuthorization"),
        ({"Authorization": "vapid t=abc, k=AAAA"}, 403, "BadPublicKey"),
    ],
)
async def test_bad_headers_are_refused(
    service: LocalPushService,
    http: aiohttp.ClientSession,
    sender: Sender,
    headers: dict[str, str | None],
    status: int,
    reason: str,
) -> None:
    subscription = service.subscribe()
    body = sender.encrypt(PAYLOAD, subscription)
    answer = await post(http, subscription.endpoint, body, sender.headers(service, **headers))
    assert (answer.status, answer.reason) == (status, reason)
    assert service.received == []


async def test_all_urgencies_and_a_32_character_topic_are_accepted(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    for urgency in ("very-low", "low", "normal", "high"):
        answer = await send(
            http, service, sender, subscription, Urgency=urgency, Topic="a-_" * 10 + "Z9"
        )
        assert answer.status == 201, answer.body
    assert [r.urgency for r in service.received] == ["very-low", "low", "normal", "high"]


async def test_undecryptable_bodies_are_400(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    headers = sender.headers(service)
    for body in (os.urandom(300), b"hello", b""):
        answer = await post(http, subscription.endpoint, body, headers)
        assert (answer.status, answer.reason) == (400, "DecryptionFailed"), body
    # Well formed, but encrypted for another browser's keys.
    for_other = sender.encrypt(PAYLOAD, service.subscribe())
    answer = await post(http, subscription.endpoint, for_other, headers)
    assert (answer.status, answer.reason) == (400, "DecryptionFailed")
    assert "tag does not verify" in answer.body
    # One flipped bit in the ciphertext.
    tampered = bytearray(sender.encrypt(PAYLOAD, subscription))
    tampered[100] ^= 1
    answer = await post(http, subscription.endpoint, bytes(tampered), headers)
    assert (answer.status, answer.reason) == (400, "DecryptionFailed")
    assert service.received == []
    assert service.requests == 5


async def test_unknown_is_404_and_unsubscribed_is_410(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    body = sender.encrypt(PAYLOAD, subscription)
    answer = await post(http, f"{service.origin}/push/nobody", body, sender.headers(service))
    assert answer.status == 404

    assert (await send(http, service, sender, subscription)).status == 201
    service.unsubscribe(subscription)
    answer = await send(http, service, sender, subscription)
    assert (answer.status, answer.reason) == (410, "Unregistered")
    assert len(service.received) == 1
    assert [a.status for a in service.attempts] == [404, 201, 410]


async def test_scripted_429_then_201_records_one_message(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    service.script(subscription, [(429, {"Retry-After": "1"}), 201])
    first = await send(http, service, sender, subscription)
    assert first.status == 429
    assert first.headers["Retry-After"] == "1"
    assert service.received == []
    second = await send(http, service, sender, subscription)
    assert second.status == 201
    assert [r.payload for r in await service.wait_for(1)] == [PAYLOAD]
    assert service.requests == 2


async def test_scripts_are_per_subscription_and_then_normal(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    flaky, fine = service.subscribe(), service.subscribe()
    service.script(flaky, [500, 410])
    assert (await send(http, service, sender, fine)).status == 201
    statuses = [(await send(http, service, sender, flaky)).status for _ in range(3)]
    assert statuses == [500, 410, 201]
    assert [r.subscription_id for r in service.received] == [fine.id, flaky.id]


async def test_an_overloaded_service_answers_429_and_503_in_turn_until_it_recovers(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    service.overload((429, 503), retry_after=2)
    answers = [await send(http, service, sender, subscription) for _ in range(3)]
    assert [a.status for a in answers] == [429, 503, 429]
    assert {a.headers["Retry-After"] for a in answers} == {"2"}
    assert service.received == []
    service.recover()
    assert (await send(http, service, sender, subscription)).status == 201


@pytest.mark.parametrize("how", ["cancel the request", "close the session"])
async def test_a_held_request_whose_client_left_records_nothing(
    service: LocalPushService, sender: Sender, how: str
) -> None:
    subscription = service.subscribe()
    connector = aiohttp.TCPConnector(ssl=service.ssl_context())
    async with aiohttp.ClientSession(connector=connector) as http:
        service.hold()
        request = asyncio.create_task(send(http, service, sender, subscription))
        await service.wait_for_held(1)
        if how == "cancel the request":
            request.cancel()
        else:
            await http.close()
        with suppress(asyncio.CancelledError, aiohttp.ClientError):
            await request
        await service.wait_for_held(0)  # the service saw the client go
        service.release()
    assert service.received == []
    assert service.requests == 1
    assert [(a.status, a.reason) for a in service.attempts] == [(None, "ClientDisconnected")]


async def test_a_held_request_that_stays_connected_is_recorded_after_release(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    service.hold()
    requests = [
        asyncio.create_task(send(http, service, sender, subscription, f"m{i}".encode()))
        for i in range(3)
    ]
    await service.wait_for_held(3)
    await asyncio.sleep(0.05)
    assert service.received == []
    assert not any(request.done() for request in requests)
    service.release()
    answers = await asyncio.gather(*requests)
    assert [a.status for a in answers] == [201, 201, 201]
    assert sorted(r.payload for r in service.received) == [b"m0", b"m1", b"m2"]
    assert service.held == 0


async def test_latency_and_on_accept(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    delivered: list[Received] = []

    async def forward(received: Received) -> None:
        delivered.append(received)

    service.on_accept = forward
    service.latency = 0.05
    started = time.monotonic()
    assert (await send(http, service, sender, subscription)).status == 201
    assert time.monotonic() - started >= 0.05
    await service.drain()
    assert delivered == service.received
    assert delivered[0].payload == PAYLOAD


async def test_wait_for_says_what_arrived_when_it_times_out(
    service: LocalPushService, http: aiohttp.ClientSession, sender: Sender
) -> None:
    subscription = service.subscribe()
    service.script(subscription, [503])
    assert (await send(http, service, sender, subscription)).status == 503
    with pytest.raises(AssertionError, match=r"at least 1 accepted push message.*got 0.*503"):
        await service.wait_for(1, timeout=0.05)
