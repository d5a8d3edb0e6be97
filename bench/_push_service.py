"""The local Web Push service (server/local_services) for the benchmarks, in its own process.

``LocalPushService`` verifies the VAPID JWT (an ECDSA verification) and decrypts
the body (an ECDH exchange and HKDF) of every message: about as much CPU per
message as the sender spends. Run in the benchmark's own event loop it would be
measured along with the sender, so by default it runs here, in a separate
process (``python bench/_push_service.py``).

On a machine with few cores even a separate process takes CPU the sender
needs, so ``BenchPushService`` can also *defer* its checks (``configure`` with
``"defer": true``): a request for a known subscription is answered ``201`` at
once (after the latency), keeping its headers and body, and every check the
service makes (VAPID signature, ``aud``, ``exp``, ``sub``, ``k``, TTL,
Content-Encoding, Urgency, Topic, size, decryption) runs on all of them, with
the same code, when ``stats`` is asked for, outside the timed window. A real
push service does not decrypt either; it answers and the browser decrypts later.
A message that fails a deferred check is dropped from ``received`` and counted
under ``deferred_refused``, so the benchmark's checks fail as they would inline.

Driven over stdin/stdout with one JSON object a line each way:

* ``{"op": "subscribe", "n": 10}``: n new subscriptions, as ``[{id, endpoint, p256dh, auth}]``
  (their private keys stay in this process, which decrypts);
* ``{"op": "configure", "latency": 0.05, "expected_public_key": "...", "defer": true}``;
* ``{"op": "reset"}``: forget what was received and attempted;
* ``{"op": "stats"}``: runs the deferred checks, then gives ``{requests, statuses,
  deferred_refused, received: [[subscription id, delivery, topic, urgency, payload], ...]}``
  where ``payload`` is the decrypted text and ``delivery`` its JSON ``"delivery"`` field;
* ``{"op": "stop"}``.

The first line this process writes is ``{origin, ca_file, pid}``, once it listens.
``push_service(in_process=...)`` gives the same interface either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from multidict import CIMultiDict

RUNNER = Path(__file__).resolve()
PROJECT_ROOT = RUNNER.parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from server.local_services.push_service import LocalPushService, Received, Refused  # noqa: E402


class BenchPushService(LocalPushService):
    """``LocalPushService`` that can run its checks after the fact (see the module)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.defer = False
        self.deferred_refused: Counter[str] = Counter()
        self._pending: list[tuple[Received, CIMultiDict[str], bytes | None]] = []

    def _check(
        self, headers: Mapping[str, str], sub_id: str, body: bytes | None
    ) -> tuple[Received, dict[str, str]]:
        known = sub_id in self._subscriptions and sub_id not in self._gone
        if not self.defer or not known or self._scripts.get(sub_id):
            return super()._check(headers, sub_id, body)
        ttl = headers.get("TTL", "")
        placeholder = Received(
            message_id=secrets.token_urlsafe(12),
            subscription_id=sub_id,
            payload=b"",
            ttl=int(ttl) if ttl.isdigit() else 0,
            urgency=None,
            topic=None,
            claims={},
            vapid_key="",
            received_at=time.time(),
        )
        self._pending.append((placeholder, CIMultiDict(headers), body))
        return placeholder, {}

    def run_deferred_checks(self) -> None:
        refused: set[int] = set()
        for placeholder, headers, body in self._pending:
            try:
                checked, _ = super()._check(headers, placeholder.subscription_id, body)
            except Refused as refusal:
                self.deferred_refused[f"{refusal.status} {refusal.reason}"] += 1
                refused.add(id(placeholder))
                continue
            for name in ("payload", "ttl", "urgency", "topic", "claims", "vapid_key"):
                setattr(placeholder, name, getattr(checked, name))
        self._pending.clear()
        if refused:
            self.received[:] = [r for r in self.received if id(r) not in refused]


def _stats(service: BenchPushService) -> dict[str, Any]:
    service.run_deferred_checks()
    received = []
    for message in service.received:
        try:
            delivery = message.json().get("delivery")
        except ValueError:
            delivery = None
        text = message.payload.decode(errors="replace")
        received.append([message.subscription_id, delivery, message.topic, message.urgency, text])
    statuses = Counter(str(a.status) for a in service.attempts)
    return {
        "requests": service.requests,
        "statuses": dict(statuses),
        "deferred_refused": dict(service.deferred_refused),
        "received": received,
    }


def _subscribe(service: BenchPushService, n: int) -> list[dict[str, str]]:
    subs = [service.subscribe() for _ in range(n)]
    return [{"id": s.id, "endpoint": s.endpoint, "p256dh": s.p256dh, "auth": s.auth} for s in subs]


def _reset(service: BenchPushService) -> None:
    service._pending.clear()
    service.deferred_refused.clear()
    service.received.clear()
    service.attempts.clear()
    service.requests = 0


def _configure(service: BenchPushService, command: dict[str, Any]) -> None:
    if "defer" in command:
        service.defer = bool(command["defer"])
    if "latency" in command:
        service.latency = float(command["latency"])
    if "expected_public_key" in command:
        service.expected_public_key = command["expected_public_key"]


class InProcessService:
    """The service in this process and event loop (``--service inprocess``)."""

    def __init__(self, service: BenchPushService) -> None:
        self.service = service
        self.origin = service.origin
        self.ca_file = service.ca_file
        self.pid = os.getpid()
        self.separate = False

    async def subscribe(self, n: int) -> list[dict[str, str]]:
        return _subscribe(self.service, n)

    async def configure(self, **options: Any) -> None:
        _configure(self.service, options)

    async def reset(self) -> None:
        _reset(self.service)

    async def stats(self) -> dict[str, Any]:
        return _stats(self.service)


class ProcessService:
    """The service in a child process, driven over its stdin/stdout."""

    def __init__(self, process: asyncio.subprocess.Process, hello: dict[str, Any]) -> None:
        self.process = process
        self.origin: str = hello["origin"]
        self.ca_file: str = hello["ca_file"]
        self.pid: int = hello["pid"]
        self.separate = True
        self._lock = asyncio.Lock()

    async def _call(self, **command: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        async with self._lock:
            self.process.stdin.write(json.dumps(command).encode() + b"\n")
            await self.process.stdin.drain()
            line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the push service process exited ({self.process.returncode})")
        reply = json.loads(line)
        if isinstance(reply, dict) and "error" in reply:
            raise RuntimeError(f"push service: {reply['error']}")
        return reply

    async def subscribe(self, n: int) -> list[dict[str, str]]:
        subs: list[dict[str, str]] = await self._call(op="subscribe", n=n)
        return subs

    async def configure(self, **options: Any) -> None:
        await self._call(op="configure", **options)

    async def reset(self) -> None:
        await self._call(op="reset")

    async def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = await self._call(op="stats")
        return stats


Service = InProcessService | ProcessService


@contextlib.asynccontextmanager
async def push_service(*, in_process: bool = False) -> AsyncIterator[Service]:
    """A running local push service, in a child process unless ``in_process``."""
    if in_process:
        async with BenchPushService() as service:
            yield InProcessService(service)
        return
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(RUNNER),
        cwd=PROJECT_ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=64 * 1024 * 1024,  # the stats line lists every message received
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        if not line:
            raise RuntimeError("the push service process did not start")
        client = ProcessService(process, json.loads(line))
        yield client
        with contextlib.suppress(RuntimeError, ConnectionError):
            await client._call(op="stop")
        await asyncio.wait_for(process.wait(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    async with BenchPushService() as service:
        out = sys.stdout
        out.write(
            json.dumps({"origin": service.origin, "ca_file": service.ca_file, "pid": os.getpid()})
            + "\n"
        )
        out.flush()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            command = json.loads(line)
            op = command.get("op")
            reply: Any = {}
            if op == "subscribe":
                reply = _subscribe(service, int(command["n"]))
            elif op == "configure":
                _configure(service, command)
            elif op == "reset":
                _reset(service)
            elif op == "stats":
                reply = _stats(service)
            elif op == "stop":
                out.write("{}\n")
                out.flush()
                return
            else:
                reply = {"error": f"unknown op {op!r}"}
            out.write(json.dumps(reply) + "\n")
            out.flush()


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(_serve())
    except ImportError:  # pragma: no cover
        asyncio.run(_serve())
