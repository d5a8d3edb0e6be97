"""The local mail sink (server/local_services) for the benchmarks, in its own process.

``LocalMailSink`` is aiosmtpd, pure Python: reading each message line by line costs CPU
of the same order as composing it. Run in the benchmark's own event loop it would be
measured along with the sender, so it runs here, in a separate process
(``python bench/_mail_sink.py``), with no directory (nothing written to disk) and no
announcements: it accepts every message and keeps its bytes in memory. It parses nothing
while messages arrive; ``check`` parses them all afterwards, outside the timed window.

Each accepted message's arrival is also noted on ``time.monotonic()``, which on Linux is
``CLOCK_MONOTONIC``, the same clock in every process of the machine: the benchmark
compares it with its own ``time.monotonic()`` when it sent the request.

Driven over stdin/stdout with one JSON object a line each way:

* ``{"op": "configure", "latency": 0.05}``: seconds before each DATA is answered;
* ``{"op": "reset"}``: forget what was received;
* ``{"op": "count"}``: ``{"received": n}``;
* ``{"op": "arrival", "address": "a@b", "timeout": 5}``: when the first message to that
  recipient arrived (``{"at": <monotonic seconds>}``), waiting up to ``timeout`` seconds
  for it (``{"at": null}`` if it did not come);
* ``{"op": "check"}``: every message parsed with the ``email`` package (policy default):
  ``{"messages": [[recipients, To, Subject, Message-ID, has text, has HTML,
  [attachment content types]], ...], "unparsable": [reason, ...]}``;
* ``{"op": "stop"}``.

The first line this process writes is ``{url, pid}``, once it listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).resolve()
PROJECT_ROOT = RUNNER.parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from aiosmtpd.smtp import Envelope  # noqa: E402

from server.local_services.mail_sink import LocalMailSink  # noqa: E402


class TimedMailSink(LocalMailSink):
    """``LocalMailSink`` noting when each message to each recipient arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, float] = {}
        self._waiting: dict[str, asyncio.Future[float]] = {}

    async def _answer(self, envelope: Envelope) -> str:
        reply = await super()._answer(envelope)
        if reply.startswith("250"):
            at = time.monotonic()
            for recipient in envelope.rcpt_tos:
                address = recipient.casefold()
                self.arrived.setdefault(address, at)
                waiter = self._waiting.pop(address, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(at)
        return reply

    async def arrival(self, address: str, timeout: float) -> float | None:  # noqa: ASYNC109
        address = address.casefold()
        if address in self.arrived:
            return self.arrived[address]
        waiter = self._waiting.setdefault(address, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            return None

    def reset(self) -> None:
        self.received.clear()
        self.arrived.clear()


def _check(sink: TimedMailSink) -> dict[str, Any]:
    messages = []
    unparsable = []
    for mail in sink.received:
        try:
            message = mail.message
            text = message.get_body(("plain",))
            html = message.get_body(("html",))
            attachments = [part.get_content_type() for part in message.iter_attachments()]
            messages.append(
                [
                    list(mail.recipients),
                    str(message.get("To", "")),
                    str(message.get("Subject", "")),
                    str(message.get("Message-ID", "")),
                    text is not None and bool(text.get_content().strip()),
                    html is not None and "<html" in html.get_content().lower(),
                    attachments,
                ]
            )
        except Exception as error:  # any failure to parse is what the check reports
            unparsable.append(f"to {', '.join(mail.recipients)}: {type(error).__name__}: {error}")
    return {"messages": messages, "unparsable": unparsable}


class ProcessMailSink:
    """The sink in a child process, driven over its stdin/stdout."""

    def __init__(self, process: asyncio.subprocess.Process, hello: dict[str, Any]) -> None:
        self.process = process
        self.url: str = hello["url"]
        self.pid: int = hello["pid"]
        self._lock = asyncio.Lock()

    async def _call(self, **command: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        async with self._lock:
            self.process.stdin.write(json.dumps(command).encode() + b"\n")
            await self.process.stdin.drain()
            line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the mail sink process exited ({self.process.returncode})")
        reply = json.loads(line)
        if isinstance(reply, dict) and "error" in reply:
            raise RuntimeError(f"mail sink: {reply['error']}")
        return reply

    async def configure(self, *, latency: float) -> None:
        await self._call(op="configure", latency=latency)

    async def reset(self) -> None:
        await self._call(op="reset")

    async def count(self) -> int:
        return int((await self._call(op="count"))["received"])

    async def arrival(self, address: str, timeout: float) -> float | None:  # noqa: ASYNC109
        at = (await self._call(op="arrival", address=address, timeout=timeout))["at"]
        return None if at is None else float(at)

    async def check(self) -> dict[str, Any]:
        found: dict[str, Any] = await self._call(op="check")
        return found


@contextlib.asynccontextmanager
async def mail_sink() -> AsyncIterator[ProcessMailSink]:
    """A running local mail sink in a child process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(RUNNER),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=256 * 1024 * 1024,  # the check line lists every message received
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        if not line:
            raise RuntimeError("the mail sink process did not start")
        client = ProcessMailSink(process, json.loads(line))
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
    async with TimedMailSink() as sink:
        out = sys.stdout
        out.write(json.dumps({"url": sink.url, "pid": os.getpid()}) + "\n")
        out.flush()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            command = json.loads(line)
            op = command.get("op")
            reply: Any = {}
            if op == "configure":
                sink.latency = float(command["latency"])
            elif op == "reset":
                sink.reset()
            elif op == "count":
                reply = {"received": len(sink.received)}
            elif op == "arrival":
                at = await sink.arrival(str(command["address"]), float(command["timeout"]))
                reply = {"at": at}
            elif op == "check":
                reply = _check(sink)
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
