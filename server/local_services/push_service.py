"""A local Web Push service for tests and benchmarks, checking requests as a real one does.

``LocalPushService`` is an HTTPS server on 127.0.0.1 (a self-signed certificate made at
start, trusted by clients through ``service.ca_file``) that behaves like FCM, Mozilla
autopush or Apple's push service towards an application server:

* RFC 8030 push: ``POST /push/<id>`` with a ``TTL`` header (required), optional
  ``Urgency`` and ``Topic``; ``201 Created`` with a ``Location`` on acceptance, ``404``
  for an unknown subscription and ``410`` for one the user dropped (``unsubscribe()``).
* RFC 8292 VAPID: ``Authorization: vapid t=<jwt>, k=<key>``. The ES256 signature must
  verify with ``k``, ``aud`` must be exactly ``service.origin`` (scheme://host:port, so
  a sender that drops the port is refused), ``exp`` in the future and at most 24 h
  ahead, ``sub`` a ``mailto:`` or ``https://`` URI, and ``k`` the subscription's
  applicationServerKey when one is known (``expected_public_key`` or the key given to
  ``subscribe()``). Every failure is a ``403`` whose JSON body names the reason, like
  Apple's ``{"reason": "BadJwtToken"}``.
* RFC 8291 message encryption: the body must be ``Content-Encoding: aes128gcm``, at most
  4096 bytes (else ``413``), and decrypt with the subscription's private key and auth
  secret, as the browser would (else ``400``). The decryption here is written from the
  RFCs with ``cryptography`` so it checks the sender rather than sharing its code.
  A real push service cannot decrypt and would let the browser drop such a message;
  refusing it makes the fault visible to the test. Pushes without a payload are refused
  too (``Content-Encoding`` is required): this application always sends one.

Fault injection and timing:

* ``script(sub, [(429, {"Retry-After": "2"}), 201])`` queues answers for a subscription;
  each request takes the next one, and once the queue is empty the service behaves
  normally. A scripted non-201 answer is given without further checks and records
  nothing; a scripted 201 (optionally with extra headers) goes through every check.
* ``overload((429, 503), retry_after=1)`` answers every request with those statuses in
  turn (each with ``Retry-After``) until ``recover()``: a push service overloaded or down.
* ``latency`` delays every answer; ``hold()`` makes requests wait until ``release()``,
  and ``wait_for_held(n)`` waits until exactly ``n`` requests are waiting.

When is a message accepted? When its ``201`` has been written to a connection that is
still open. A request whose client went away while it was delayed or held (its request
task cancelled, its session or process closed) is answered to nobody and records
nothing: it is logged in ``attempts`` with ``status=None`` and reason
``ClientDisconnected``, and is no longer counted as held. The checks of a delayed or
held request are made when it is answered, so ``unsubscribe()`` during a hold gives 410.

Each accepted message is appended to ``received`` (as a ``Received``) and then handed,
in order and off the request path, to the optional ``on_accept`` coroutine (for example
to forward it to a browser's service worker); ``drain()`` waits for those deliveries.
An exception from ``on_accept`` is kept and raised as an AssertionError when the
service stops.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime
import hashlib
import hmac
import ipaddress
import itertools
import json
import re
import secrets
import socket
import ssl
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MAX_BODY = 4096  # RFC 8291 section 4: push services must accept at least this much
MAX_JWT_LIFETIME = 24 * 3600  # RFC 8292 section 2: exp at most 24 hours ahead
URGENCIES = ("very-low", "low", "normal", "high")
TOPIC_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
TTL_RE = re.compile(r"[0-9]{1,10}")
B64URL_RE = re.compile(r"[A-Za-z0-9_-]*={0,2}")

ScriptedResponse = int | tuple[int, Mapping[str, str]]
AcceptCallback = Callable[["Received"], Awaitable[None]]


def b64url(data: bytes) -> str:
    """Base64url without padding, as browsers give subscription keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(value: str) -> bytes:
    """Base64url with or without padding; ValueError on anything else."""
    if not B64URL_RE.fullmatch(value):
        raise ValueError("not base64url")
    stripped = value.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except binascii.Error as error:
        raise ValueError(f"not base64url: {error}") from None


def public_key_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    """The uncompressed P-256 point (65 bytes, leading 0x04)."""
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


class DecryptionError(ValueError):
    """An aes128gcm body the browser could not decrypt; the message says why."""


def decrypt_aes128gcm(
    body: bytes, private_key: ec.EllipticCurvePrivateKey, auth_secret: bytes
) -> bytes:
    """Decrypt a Web Push message as the user agent does (RFC 8291 over RFC 8188).

    The body is ``salt(16) | rs(4) | idlen(1) | keyid(idlen)`` and then one record,
    keyid being the sender's ephemeral public key.
    """
    if len(body) < 21:
        raise DecryptionError("body shorter than the 21-byte aes128gcm header")
    salt = body[:16]
    record_size = int.from_bytes(body[16:20], "big")
    id_length = body[20]
    if record_size < 18:
        raise DecryptionError(f"record size {record_size} is below the minimum of 18")
    if id_length != 65:
        raise DecryptionError(f"keyid is {id_length} bytes, not a 65-byte P-256 public key")
    sender_public = body[21:86]
    ciphertext = body[86:]
    if len(ciphertext) < 17:
        raise DecryptionError("no record after the header (need a tag and a delimiter)")
    if len(ciphertext) > record_size:
        raise DecryptionError(
            f"{len(ciphertext)} bytes of records with rs={record_size}: "
            "RFC 8291 allows one record only"
        )
    try:
        sender_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_public)
    except ValueError:
        raise DecryptionError("keyid is not a point on P-256") from None

    # RFC 8291 section 3.3/3.4: combine the ECDH secret with the auth secret.
    ecdh_secret = private_key.exchange(ec.ECDH(), sender_key)
    receiver_public = public_key_bytes(private_key.public_key())
    key_info = b"WebPush: info\x00" + receiver_public + sender_public
    ikm = HKDF(algorithm=hashes.SHA256(), length=32, salt=auth_secret, info=key_info).derive(
        ecdh_secret
    )
    # RFC 8188 section 2.2/2.3: content encryption key and nonce from the salt.
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    cek = HKDFExpand(
        algorithm=hashes.SHA256(), length=16, info=b"Content-Encoding: aes128gcm\x00"
    ).derive(prk)
    nonce = HKDFExpand(
        algorithm=hashes.SHA256(), length=12, info=b"Content-Encoding: nonce\x00"
    ).derive(prk)  # XOR with sequence number 0 leaves it unchanged
    try:
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
    except InvalidTag:
        raise DecryptionError(
            "authentication tag does not verify (wrong keys, auth secret or corrupted body)"
        ) from None
    unpadded = padded.rstrip(b"\x00")
    if not unpadded or unpadded[-1] != 0x02:
        raise DecryptionError("the record does not end with the 0x02 last-record delimiter")
    return unpadded[:-1]


@dataclass
class BrowserSubscription:
    """A push subscription as a browser makes it: its own P-256 key pair and auth secret."""

    id: str
    endpoint: str
    p256dh: str
    auth: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    application_server_key: str | None = None

    @property
    def auth_secret(self) -> bytes:
        return b64url_decode(self.auth)

    def to_json(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives the page."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }

    def decrypt(self, body: bytes) -> bytes:
        return decrypt_aes128gcm(body, self.private_key, self.auth_secret)


@dataclass
class Received:
    """A push message the service accepted (answered 201), decrypted."""

    message_id: str
    subscription_id: str
    payload: bytes
    ttl: int
    urgency: str | None  # the Urgency header as sent; None when absent (meaning "normal")
    topic: str | None
    claims: dict[str, Any]  # the verified VAPID JWT claims
    vapid_key: str  # the k= parameter
    received_at: float  # time.time()

    def json(self) -> Any:
        return json.loads(self.payload)

    def text(self) -> str:
        return self.payload.decode()


@dataclass
class Attempt:
    """One POST to a push endpoint and how it was answered."""

    subscription_id: str
    status: int | None  # None: the client disconnected before the answer
    reason: str
    at: float


class Refused(Exception):
    """Raised inside the handler to answer with an error status."""

    def __init__(
        self, status: int, reason: str, detail: str = "", headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {reason}: {detail}")
        self.status = status
        self.reason = reason
        self.detail = detail
        self.headers = dict(headers or {})


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed P-256 certificate for 127.0.0.1 and localhost: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Reachout test push service")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "push-service-cert.pem"
    key_file = directory / "push-service-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class LocalPushService:
    """An RFC 8030/8291/8292 push service on https://127.0.0.1:<free port>; see the module."""

    def __init__(
        self,
        *,
        expected_public_key: str | None = None,
        latency: float = 0.0,
        max_body: int = MAX_BODY,
    ) -> None:
        self.expected_public_key = expected_public_key
        self.latency = latency
        self.max_body = max_body
        self.on_accept: AcceptCallback | None = None
        self.received: list[Received] = []
        self.attempts: list[Attempt] = []
        self.requests = 0
        self.callback_errors: list[BaseException] = []
        self._subscriptions: dict[str, BrowserSubscription] = {}
        self._gone: set[str] = set()
        self._scripts: dict[str, deque[ScriptedResponse]] = {}
        self._overload: tuple[Iterator[int], int] | None = None  # statuses in turn, Retry-After
        self._gate: asyncio.Event | None = None  # while held: the Event release() sets
        self._held = 0
        self._changed = asyncio.Event()
        self._deliveries: asyncio.Queue[Received] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self._runner: web.AppRunner | None = None
        self._origin: str | None = None
        self._ca_file: str | None = None

    # -- lifecycle ------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        try:
            await self._start()
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._stop()
        if self.callback_errors and exc is None:
            first = self.callback_errors[0]
            raise AssertionError(
                f"on_accept failed {len(self.callback_errors)} time(s): {first!r}"
            ) from first

    async def _start(self) -> None:
        self._tempdir = tempfile.TemporaryDirectory(prefix="push-service-")
        cert_file, key_file = make_certificate(Path(self._tempdir.name))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)

        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/push/{id}", self._handle_push)
        # handler_cancellation: a client that goes away cancels its held or delayed request.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=2.0
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
            site = web.SockSite(self._runner, sock, ssl_context=context)
            await site.start()
        except BaseException:
            sock.close()
            raise
        self._origin = f"https://127.0.0.1:{port}"
        self._ca_file = str(cert_file)
        self._worker = asyncio.create_task(self._deliver())

    async def _stop(self) -> None:
        if self._gate is not None:
            self._gate.set()  # let held requests finish so shutdown does not wait for them
            self._gate = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                if (task := asyncio.current_task()) is not None and task.cancelling():
                    raise
            self._worker = None
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    # -- configuration --------------------------------------------------------------

    @property
    def origin(self) -> str:
        """``https://127.0.0.1:<port>``: what a VAPID ``aud`` must be."""
        if self._origin is None:
            raise RuntimeError("the push service is not running (use `async with`)")
        return self._origin

    @property
    def ca_file(self) -> str:
        """The PEM certificate, for ``ssl.create_default_context(cafile=...)``."""
        if self._ca_file is None:
            raise RuntimeError("the push service is not running (use `async with`)")
        return self._ca_file

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting this service (and only it)."""
        return ssl.create_default_context(cafile=self.ca_file)

    def subscribe(self, application_server_key: str | None = None) -> BrowserSubscription:
        """A new subscription, made as ``PushManager.subscribe()`` makes it.

        ``application_server_key``, when given, is the VAPID key this subscription accepts
        (otherwise ``expected_public_key``, when set, applies).
        """
        private_key = ec.generate_private_key(ec.SECP256R1())
        sub_id = secrets.token_urlsafe(16)
        subscription = BrowserSubscription(
            id=sub_id,
            endpoint=f"{self.origin}/push/{sub_id}",
            p256dh=b64url(public_key_bytes(private_key.public_key())),
            auth=b64url(secrets.token_bytes(16)),
            private_key=private_key,
            application_server_key=application_server_key,
        )
        self._subscriptions[sub_id] = subscription
        return subscription

    def adopt(self, subscription: BrowserSubscription) -> BrowserSubscription:
        """Accept pushes for a subscription whose keys were made elsewhere, e.g. by a
        browser's WebCrypto; its endpoint must be ``<origin>/push/<id>`` on this service."""
        if subscription.endpoint != f"{self.origin}/push/{subscription.id}":
            raise ValueError(
                f"endpoint {subscription.endpoint!r} is not {self.origin}/push/{subscription.id}"
            )
        if subscription.id in self._subscriptions:
            raise ValueError(f"subscription {subscription.id!r} is already known")
        if b64url_decode(subscription.p256dh) != public_key_bytes(
            subscription.private_key.public_key()
        ):
            raise ValueError("p256dh is not the public key of the subscription's private key")
        if len(subscription.auth_secret) != 16:
            raise ValueError("the auth secret must be 16 bytes")
        self._subscriptions[subscription.id] = subscription
        return subscription

    def unsubscribe(self, subscription: BrowserSubscription | str) -> None:
        """The user dropped it: from now on its endpoint answers 410 Gone."""
        self._gone.add(self._id(subscription))

    def script(
        self, subscription: BrowserSubscription | str, responses: Sequence[ScriptedResponse]
    ) -> None:
        """Queue answers for the subscription's next requests: ``status`` or
        ``(status, headers)``. Then normal behaviour resumes."""
        queue = self._scripts.setdefault(self._id(subscription), deque())
        for response in responses:
            status = response if isinstance(response, int) else response[0]
            if not 100 <= status <= 599:
                raise ValueError(f"not an HTTP status: {status}")
            queue.append(response)

    def overload(self, statuses: Sequence[int] = (429, 503), retry_after: int = 1) -> None:
        """Answer every request with ``statuses`` in turn, each with ``Retry-After``, until
        ``recover()``."""
        self._overload = (itertools.cycle(statuses), retry_after)

    def recover(self) -> None:
        self._overload = None

    def hold(self) -> None:
        """Make requests arriving from now on wait (before being answered) until release()."""
        if self._gate is None:
            self._gate = asyncio.Event()

    def release(self) -> None:
        """Let every held request go on."""
        if self._gate is not None:
            self._gate.set()
            self._gate = None

    @property
    def held(self) -> int:
        """How many requests are waiting in hold() with their client still connected."""
        return self._held

    # -- inspection -----------------------------------------------------------------

    def received_for(self, subscription: BrowserSubscription | str) -> list[Received]:
        sub_id = self._id(subscription)
        return [r for r in self.received if r.subscription_id == sub_id]

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:  # noqa: ASYNC109
        """Wait until at least ``count`` messages were accepted; returns them all."""
        await self._wait_until(
            lambda: len(self.received) >= count,
            timeout,
            lambda: (
                f"expected at least {count} accepted push message(s) within {timeout} s, "
                f"got {len(self.received)}"
            ),
        )
        return list(self.received)

    async def wait_for_held(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until exactly ``count`` requests are held (0: until held clients gave up)."""
        await self._wait_until(
            lambda: self._held == count,
            timeout,
            lambda: (
                f"expected {count} held push request(s) within {timeout} s, {self._held} are held"
            ),
        )

    async def drain(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``on_accept`` has been called for every accepted message."""
        try:
            async with asyncio.timeout(timeout):
                await self._deliveries.join()
        except TimeoutError:
            raise AssertionError(
                f"on_accept still has {self._deliveries.qsize()} message(s) after {timeout} s"
            ) from None

    # -- internals ------------------------------------------------------------------

    def _id(self, subscription: BrowserSubscription | str) -> str:
        return subscription if isinstance(subscription, str) else subscription.id

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(
        self, predicate: Callable[[], bool], seconds: float, message: Callable[[], str]
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{message()}; attempts: {self._summary()}")
            changed = self._changed
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                pass

    def _summary(self) -> str:
        recent = [f"{a.status or 'disconnected'} {a.reason}" for a in self.attempts[-10:]]
        return f"{self.requests} request(s); last: {', '.join(recent) or 'none'}"

    def _log(self, sub_id: str, status: int | None, reason: str) -> None:
        self.attempts.append(Attempt(sub_id, status, reason, time.time()))
        self._notify()

    async def _deliver(self) -> None:
        while True:
            received = await self._deliveries.get()
            try:
                if self.on_accept is not None:
                    await self.on_accept(received)
            except Exception as error:
                self.callback_errors.append(error)
            finally:
                self._deliveries.task_done()

    async def _wait_turn(self) -> None:
        gate = self._gate
        if gate is not None:
            self._held += 1
            self._notify()
            try:
                await gate.wait()
            finally:
                self._held -= 1
                self._notify()
        if self.latency > 0:
            await asyncio.sleep(self.latency)

    @staticmethod
    def _client_gone(request: web.Request) -> bool:
        transport = request.transport
        return transport is None or transport.is_closing()

    async def _handle_push(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        sub_id = request.match_info["id"]
        self._notify()
        body: bytes | None = None
        try:
            try:
                body = await request.read()
            except web.HTTPRequestEntityTooLarge:
                body = None  # over client_max_size: answered 413 below
            await self._wait_turn()
        except (ConnectionError, asyncio.CancelledError):
            self._log(sub_id, None, "ClientDisconnected")
            raise
        if self._client_gone(request):
            self._log(sub_id, None, "ClientDisconnected")
            return web.Response(status=499)  # written to nobody

        try:
            received, extra_headers = self._check(request.headers, sub_id, body)
        except Refused as refusal:
            self._log(sub_id, refusal.status, refusal.reason)
            return web.json_response(
                {"reason": refusal.reason, "detail": refusal.detail},
                status=refusal.status,
                headers=refusal.headers,
            )

        response = web.Response(
            status=201,
            headers={
                "Location": f"{self.origin}/message/{received.message_id}",
                "TTL": str(received.ttl),
                **extra_headers,
            },
        )
        # Accepted once the 201 is written to a live connection; visible from that moment.
        self.received.append(received)
        try:
            if self._client_gone(request):
                raise ConnectionResetError("client disconnected")
            await response.prepare(request)
            await response.write_eof()
        except (ConnectionError, asyncio.CancelledError):
            self.received.remove(received)
            self._log(sub_id, None, "ClientDisconnected")
            raise
        self._log(sub_id, 201, "Created")
        self._deliveries.put_nowait(received)
        return response

    def _check(
        self, headers: Mapping[str, str], sub_id: str, body: bytes | None
    ) -> tuple[Received, dict[str, str]]:
        """Every check of a real push service, in its order, on a request's headers and body;
        raises Refused."""
        subscription = self._subscriptions.get(sub_id)
        if subscription is None:
            raise Refused(404, "NotFound", "no such subscription")
        if sub_id in self._gone:
            raise Refused(410, "Unregistered", "the subscription is no longer valid")

        if self._overload is not None:
            statuses, retry_after = self._overload
            status = next(statuses)
            raise Refused(
                status, "Overloaded", "try again later", {"Retry-After": str(retry_after)}
            )

        extra_headers: dict[str, str] = {}
        queue = self._scripts.get(sub_id)
        if queue:
            scripted = queue.popleft()
            status, answer_headers = (scripted, {}) if isinstance(scripted, int) else scripted
            if status != 201:
                raise Refused(status, "Scripted", f"scripted {status}", answer_headers)
            extra_headers = dict(answer_headers)

        claims, vapid_key = self._check_vapid(headers, subscription)

        ttl_header = headers.get("TTL")
        if ttl_header is None:
            raise Refused(400, "MissingTTL", "the TTL header is required")
        if not TTL_RE.fullmatch(ttl_header.strip()):
            raise Refused(400, "BadTTL", f"TTL must be a non-negative integer, not {ttl_header!r}")
        ttl = int(ttl_header)

        encoding = headers.get("Content-Encoding")
        if encoding is None:
            raise Refused(400, "MissingContentEncoding", "Content-Encoding: aes128gcm is required")
        if encoding.strip().lower() != "aes128gcm":
            raise Refused(415, "UnsupportedContentEncoding", f"{encoding!r} is not aes128gcm")

        urgency = headers.get("Urgency")
        if urgency is not None and urgency not in URGENCIES:
            raise Refused(400, "BadUrgency", f"Urgency must be one of {', '.join(URGENCIES)}")
        topic = headers.get("Topic")
        if topic is not None and not TOPIC_RE.fullmatch(topic):
            raise Refused(
                400, "BadTopic", "Topic must be 1 to 32 characters of the base64url alphabet"
            )

        if body is None or len(body) > self.max_body:
            size = "more than 1 MiB" if body is None else f"{len(body)} bytes"
            raise Refused(413, "PayloadTooLarge", f"body is {size}; at most {self.max_body}")
        try:
            payload = subscription.decrypt(body)
        except DecryptionError as error:
            raise Refused(400, "DecryptionFailed", str(error)) from None

        received = Received(
            message_id=secrets.token_urlsafe(12),
            subscription_id=sub_id,
            payload=payload,
            ttl=ttl,
            urgency=urgency,
            topic=topic,
            claims=claims,
            vapid_key=vapid_key,
            received_at=time.time(),
        )
        return received, extra_headers

    def _check_vapid(
        self, headers: Mapping[str, str], subscription: BrowserSubscription
    ) -> tuple[dict[str, Any], str]:
        """RFC 8292: returns the verified claims and the k= key, or raises a 403."""
        header = headers.get("Authorization")
        if not header:
            raise Refused(403, "MissingAuthorization", "Authorization: vapid t=..., k=... needed")
        scheme, _, rest = header.strip().partition(" ")
        if scheme.lower() != "vapid":
            raise Refused(403, "BadAuthorization", f"scheme {scheme!r} is not vapid (RFC 8292)")
        params: dict[str, str] = {}
        for part in rest.split(","):
            name, sep, value = part.strip().partition("=")
            if sep:
                params[name.strip().lower()] = value.strip().strip('"')
        token, key = params.get("t"), params.get("k")
        if not token or not key:
            raise Refused(403, "BadAuthorization", "vapid needs both t= and k=")

        try:
            raw_key = b64url_decode(key)
            if len(raw_key) != 65:
                raise ValueError("not 65 bytes")
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
        except ValueError as error:
            raise Refused(
                403, "BadPublicKey", f"k is not an uncompressed P-256 point: {error}"
            ) from None

        expected = subscription.application_server_key or self.expected_public_key
        if expected is not None:
            try:
                matches = b64url_decode(expected) == raw_key
            except ValueError:
                matches = False
            if not matches:
                raise Refused(
                    403,
                    "VapidPublicKeyMismatch",
                    "k is not the applicationServerKey the subscription was made with",
                )

        try:
            jwt_header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Refused(403, "BadJwtToken", f"t is not a JWT: {error}") from None
        if jwt_header.get("alg") != "ES256":
            raise Refused(403, "BadJwtToken", f"alg is {jwt_header.get('alg')!r}, not ES256")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=public_key,
                algorithms=["ES256"],
                options={
                    "verify_signature": True,
                    "verify_exp": False,
                    "verify_aud": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_iss": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise Refused(403, "BadJwtToken", "the JWT signature does not verify with k") from None
        except jwt.PyJWTError as error:
            raise Refused(403, "BadJwtToken", f"the JWT is invalid: {error}") from None

        aud = claims.get("aud")
        if aud != self.origin:
            raise Refused(
                403, "BadJwtToken", f"aud {aud!r} is not the push service origin {self.origin!r}"
            )
        exp = claims.get("exp")
        now = time.time()
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise Refused(403, "BadJwtToken", "exp is missing or not a number")
        if exp <= now:
            raise Refused(403, "BadJwtToken", f"exp is {now - exp:.0f} s in the past")
        if exp > now + MAX_JWT_LIFETIME:
            raise Refused(
                403, "BadJwtToken", f"exp is {exp - now:.0f} s ahead; at most {MAX_JWT_LIFETIME}"
            )
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https://")):
            raise Refused(403, "BadJwtToken", f"sub {sub!r} is not a mailto: or https:// URI")
        return claims, key
