"""Web Push (RFC 8030/8291/8292) on top of the ``webpush`` package, with what it leaves out.

Checked against webpush 1.0.6's source: it encrypts correctly (aes128gcm, one
record) but has no size check, defaults to ``TTL: 0``, sends no ``Urgency`` or
``Topic``, stores per-call ``ttl``/``subscriber`` overrides on the instance,
drops a non-default port from the VAPID ``aud``, forces ``mailto:`` on ``sub``
and signs a new JWT for every message. So we use only its encryption, and build
the headers and a cached VAPID JWT (per push origin) here.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from webpush import WebPush
from webpush.types import WebPushKeys, WebPushSubscription

from server.followups.push_http import PushHttp, PushHttpError

# One aes128gcm record of 4096 bytes: 86 header + 16 tag + 1 delimiter leave 3993.
MAX_PLAINTEXT = 3993
JWT_LIFETIME = 24 * 3600 - 60  # at most 24 h ahead, with a minute for clock skew
JWT_RESIGN_AFTER = 12 * 3600
URGENCIES = ("very-low", "low", "normal", "high")
ELLIPSIS = "\u2026"


class InvalidSubscription(ValueError):
    """A subscription we refuse to store: the message says why."""


class Unsendable(ValueError):
    """A notification that cannot go as one push message, however often it is tried."""


def payload(message: dict[str, Any]) -> bytes:
    """The notification as UTF-8 JSON (the service worker reads it with ``event.data.json()``),
    its body cut short to fit one record. Escaped as ASCII, 600 characters of Hebrew took
    3,600 bytes and of emoji 7,200, past the 3,993 a message can carry."""

    def encoded(body: object) -> bytes:
        return json.dumps(
            {**message, "body": body}, separators=(",", ":"), ensure_ascii=False
        ).encode()

    data = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
    body = message.get("body")
    if len(data) > MAX_PLAINTEXT and isinstance(body, str):
        # The most characters that fit with the ellipsis: JSON's escapes make bytes per
        # character uneven, so searched for (a dozen encodings, only for a message too long).
        fits, too_many = 0, len(body)
        while too_many - fits > 1:
            middle = (fits + too_many) // 2
            if len(encoded(body[:middle].rstrip() + ELLIPSIS)) <= MAX_PLAINTEXT:
                fits = middle
            else:
                too_many = middle
        data = encoded(body[:fits].rstrip() + ELLIPSIS)
    if len(data) > MAX_PLAINTEXT:
        raise Unsendable(f"push payload is {len(data)} bytes; at most {MAX_PLAINTEXT}")
    return data


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class VapidKeys:
    private_pem: str

    @property
    def private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def application_server_key(self) -> str:
        """The public key as ``PushManager.subscribe()`` wants it (base64url, uncompressed)."""
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    @classmethod
    def generate(cls) -> VapidKeys:
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(pem.decode())


def push_origin(endpoint: str) -> str:
    """The VAPID ``aud``: scheme://host[:port], keeping a non-default port."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"https": 443, "http": 80}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{host}{port}"


def host_allowed(host: str, port: int, allowed: tuple[str, ...]) -> bool:
    """Whether ``host:port`` is on the allow-list. Push services listen on 443: another port is
    allowed only where an entry names it (``host:8443``, or ``host:*`` for the tests' local
    service), so a subscription cannot point our sends at some other service on the host."""
    host = host.lower().rstrip(".")
    for entry in allowed:
        pattern, sep, ports = entry.rpartition(":")
        if not sep or ":" in pattern or not (ports == "*" or ports.isdigit()):
            pattern, ports = entry, "443"
        if ports not in ("*", str(port)):
            continue
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
        if host == pattern:
            return True
    return False


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def validate_subscription(data: Any, allowed_hosts: tuple[str, ...]) -> Subscription:
    """Check a ``PushSubscription.toJSON()`` from a browser before we ever POST to it."""
    if not isinstance(data, dict):
        raise InvalidSubscription("That is not a push subscription.")
    endpoint, keys = data.get("endpoint"), data.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys, dict) or len(endpoint) > 1000:
        raise InvalidSubscription("That is not a push subscription.")
    # Characters on which urlsplit (checked here) and yarl (which aiohttp sends with) part ways.
    if not endpoint.isascii() or any(ch == "\\" or ch <= " " or ch == "\x7f" for ch in endpoint):
        raise InvalidSubscription("Push endpoints must be https URLs.")
    parts = urlsplit(endpoint)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise InvalidSubscription("Push endpoints must be https URLs.")
    try:
        port = parts.port or 443
    except ValueError:
        raise InvalidSubscription("Push endpoints must be https URLs.") from None
    if not host_allowed(parts.hostname, port, allowed_hosts):
        raise InvalidSubscription("That push service is not one we send to.")
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    try:
        point = b64url_decode(p256dh) if isinstance(p256dh, str) else b""
        secret = b64url_decode(auth) if isinstance(auth, str) else b""
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, binascii.Error):
        raise InvalidSubscription("The subscription's keys are not valid.") from None
    if len(point) != 65 or len(secret) != 16:
        raise InvalidSubscription("The subscription's keys are not valid.")
    assert isinstance(p256dh, str) and isinstance(auth, str)
    return Subscription(endpoint, p256dh, auth)


@dataclass(frozen=True)
class PushResult:
    status: int  # HTTP status, or 0 for a transport error
    retry_after: float | None = None
    error: str = ""

    @property
    def sent(self) -> bool:
        return self.status in (200, 201, 202)

    @property
    def gone(self) -> bool:
        return self.status in (404, 410)

    @property
    def retryable(self) -> bool:
        return self.status == 0 or self.status == 429 or self.status >= 500


def parse_retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "²", which float() refuses
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


@dataclass
class PushSender:
    """Encrypts and sends messages; one per worker, sharing one HTTP client."""

    keys: VapidKeys
    subject: str
    http: PushHttp
    timeout: float = 10.0
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Used for its encryption only; the headers it builds are replaced below.
        self._encryptor = WebPush(
            private_key=self.keys.private_pem.encode(), public_key=self.keys.public_pem
        )
        self._signing_key = self.keys.private_key
        self._server_key = self.keys.application_server_key

    def authorization(self, endpoint: str, now: float | None = None) -> str:
        """``vapid t=<jwt>, k=<key>``, the JWT cached per push origin and re-signed after 12 h."""
        now = time.time() if now is None else now
        # Keyed by the endpoint's scheme and authority as written, so a send parses no URL;
        # endpoints were checked (https, no userinfo) when they were stored.
        origin = endpoint.split("/", 3)[2]
        cached = self._tokens.get(origin)
        if cached is None or now - cached[1] > JWT_RESIGN_AFTER:
            claims = {"aud": push_origin(endpoint), "exp": int(now) + JWT_LIFETIME}
            claims["sub"] = self.subject
            token = jwt.encode(claims, self._signing_key, algorithm="ES256")
            cached = (token, now)
            self._tokens[origin] = cached
        return f"vapid t={cached[0]}, k={self._server_key}"

    def encrypt(self, payload: bytes, subscription: Subscription) -> bytes:
        if len(payload) > MAX_PLAINTEXT:
            raise ValueError(f"push payload is {len(payload)} bytes; at most {MAX_PLAINTEXT}")
        # Built without validation (a tenth of a send's CPU): the endpoint and keys were
        # validated when the browser posted them, and encryption reads only the keys.
        target = WebPushSubscription.model_construct(
            endpoint=subscription.endpoint,
            keys=WebPushKeys.model_construct(p256dh=subscription.p256dh, auth=subscription.auth),
        )
        # The package's own aes128gcm encryption (pinned version; see the module docstring).
        encrypted: bytes = self._encryptor._encrypt(payload, target)
        return encrypted

    async def send(
        self,
        subscription: Subscription,
        message: dict[str, Any],
        *,
        ttl: int,
        urgency: str = "normal",
        topic: str | None = None,
        time_limit: float | None = None,
    ) -> PushResult:
        """One message; ``time_limit`` (seconds, default ``timeout``) bounds the whole request.
        Unsendable when the message cannot fit one push message."""
        assert urgency in URGENCIES and ttl >= 0
        body = self.encrypt(payload(message), subscription)
        try:
            authorization = self.authorization(subscription.endpoint)
        except ValueError as error:  # checked on subscribe; a send fails, the worker goes on
            return PushResult(0, None, f"not an endpoint we send to: {error}"[:200])
        headers = {
            "authorization": authorization,
            "content-encoding": "aes128gcm",
            "content-type": "application/octet-stream",
            # Without a TTL the push service may drop the message for a sleeping phone.
            "ttl": str(ttl),
            "urgency": urgency,
        }
        if topic:
            headers["topic"] = topic
        try:
            answer = await self.http.post(
                subscription.endpoint, headers, body, seconds=time_limit or self.timeout
            )
        except (PushHttpError, TimeoutError, OSError) as error:
            # A refused, reset or unreadable connection, or no answer in time: try again later.
            return PushResult(0, None, f"{type(error).__name__}: {error}"[:200])
        return PushResult(
            answer.status,
            parse_retry_after(answer.retry_after, time.time()),
            "" if answer.status < 300 else answer.text[:200],
        )


def topic_for(contact_id: int) -> str:
    """At most 32 base64url characters (RFC 8030): one per contact, so a newer nudge replaces."""
    return f"contact-{contact_id}"


def keys_from_setting(value: str) -> VapidKeys:
    """VAPID_PRIVATE_KEY as PEM, or as the base64url raw scalar that web-push tools print."""
    if "BEGIN" in value:
        return VapidKeys(value.replace("\\n", "\n"))
    scalar = int.from_bytes(b64url_decode(value.strip()), "big")
    key = ec.derive_private_key(scalar, ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return VapidKeys(pem.decode())


async def load_keys(pool: Any, configured: str | None) -> VapidKeys:
    """The configured key, or the one made on first start and kept in the database."""
    if configured:
        return keys_from_setting(configured)
    # Read first: once made, starting writes nothing (a process can start while the database
    # is read-only, a failover's standby). On first start every process races to insert its
    # own; the first one wins and all read it back.
    pem: str | None = await pool.fetchval("SELECT private_pem FROM vapid_keys")
    if pem is None:
        await pool.execute(
            "INSERT INTO vapid_keys (private_pem) VALUES ($1) ON CONFLICT (id) DO NOTHING",
            VapidKeys.generate().private_pem,
        )
        pem = await pool.fetchval("SELECT private_pem FROM vapid_keys")
    assert pem is not None
    return VapidKeys(pem)
