"""Raw POST rate to the local push service: our client (server/followups/push_http.py) vs aiohttp
and httpx (HTTP/1.1, and with http2=True).

Why the worker sends with its own lean client. Each client POSTs pre-encrypted Web Push
messages (aes128gcm bodies made once, one per subscription, cycled) with fixed
headers (one VAPID ``Authorization``, ``TTL``, ``Content-Encoding``, ``Urgency``,
``Topic``) to the local push service (server/local_services/push_service.py on loopback HTTPS,
run in its own process by bench/_push_service.py, answering ``201`` at once or
after 50 ms), ``--concurrency`` requests in flight (64 by default), on one
client with a connection pool of the same size. Each cell warms up with
``--warmup`` requests (opening the connections), then times ``--requests`` more
(fewer when ``--max-seconds`` runs out first, as it does for the slow clients);
the rate, the client's CPU per request (this process) and the push service's
CPU are printed. Every timed request must be answered 201, and the service then
checks each one (VAPID, decryption) as bench/push.py does (deferred, outside the
timed window; ``--checks inline`` checks per request instead).

The service is aiohttp.web, HTTP/1.1 only: it offers no ``h2`` in ALPN. So the
``httpx http2=True`` row shows what httpx negotiated (HTTP/1.1: it fell back),
not HTTP/2 itself. Real push services (FCM, Mozilla autopush, APNs) speak
HTTP/2; with it, one connection would carry all the concurrent streams.

Run it::

    make bench
    .venv/bin/python bench/push_clients.py     # about a minute
    .venv/bin/python bench/push_clients.py --requests 5000 --concurrency 128
    .venv/bin/python bench/push_clients.py --smoke   # seconds: that it still works

It exits 1 when a request was not answered 201 or a message failed the service's checks.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import platform
import ssl
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import psutil
from _cpu import cpu_seconds
from _push_service import Service, push_service

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from server.followups import push  # noqa: E402
from server.followups.push_http import PushHttp, PushHttpError  # noqa: E402

SUBJECT = "mailto:bench@example.com"
HAVE_H2 = importlib.util.find_spec("h2") is not None  # httpx's http2=True needs it
PAYLOAD = (
    b'{"title":"Follow up with Person 1","body":"You met yesterday. You promised: an intro'
    b' to two fashion recruiters. They asked: a look at my portfolio.","tag":"contact-1",'
    b'"url":"/contacts/1","followup":1,"delivery":1,"actions":{"done":"/followups/1/done?'
    b'owner=1&sig=0123456789abcdef0123456789abcdef","snooze":"/followups/1/snooze?owner=1&'
    b'sig=0123456789abcdef0123456789abcdef"}}'
)

Post = Callable[[str, bytes], Awaitable[tuple[int, str]]]


@dataclass
class Result:
    client: str
    latency: float
    requests: int
    rate: float
    client_us: float  # CPU microseconds per request in this process
    service_percent: float
    other_percent: float
    version: str
    failures: int


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def messages(service: Service, count: int) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    """``count`` (endpoint, encrypted body) pairs and the fixed headers."""
    keys = push.VapidKeys.generate()
    await service.configure(expected_public_key=keys.application_server_key)
    async with PushHttp(ssl.create_default_context(), 1) as unused:  # nothing is sent
        sender = push.PushSender(keys, SUBJECT, unused)
        subscriptions = await service.subscribe(count)
        pairs = [
            (
                s["endpoint"],
                sender.encrypt(PAYLOAD, push.Subscription(s["endpoint"], s["p256dh"], s["auth"])),
            )
            for s in subscriptions
        ]
        headers = {
            "authorization": sender.authorization(subscriptions[0]["endpoint"]),
            "content-encoding": "aes128gcm",
            "content-type": "application/octet-stream",
            "ttl": "86400",
            "urgency": "normal",
            "topic": "contact-1",
        }
    return pairs, headers


async def drive(
    post: Post,
    pairs: list[tuple[str, bytes]],
    *,
    total: int,
    concurrency: int,
    seconds: float,
) -> tuple[int, int, set[str]]:
    """Up to ``total`` POSTs, ``concurrency`` at a time, starting none after ``seconds``;
    returns (requests made, non-201 count, HTTP versions)."""
    failures = 0
    versions: set[str] = set()
    next_index = 0
    deadline = time.perf_counter() + seconds

    async def lane() -> None:
        nonlocal failures, next_index
        while next_index < total and time.perf_counter() < deadline:
            endpoint, body = pairs[next_index % len(pairs)]
            next_index += 1
            try:
                status, version = await post(endpoint, body)
            except (aiohttp.ClientError, httpx.HTTPError, OSError, PushHttpError):
                failures += 1
                continue
            versions.add(version)
            if status != 201:
                failures += 1

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return next_index, failures, versions


def machine_busy() -> float:
    total = psutil.cpu_times()
    return float(sum(total) - total.idle - getattr(total, "iowait", 0.0))


async def run_cell(
    name: str,
    post: Post,
    service: Service,
    pairs: list[tuple[str, bytes]],
    *,
    latency: float,
    args: argparse.Namespace,
) -> Result:
    me = psutil.Process()
    other = psutil.Process(service.pid) if service.separate else None
    await service.configure(latency=latency)
    await drive(
        post, pairs, total=args.warmup, concurrency=args.concurrency, seconds=args.max_seconds
    )
    await service.reset()
    start = (time.perf_counter(), cpu_seconds(me), cpu_seconds(other) if other else 0.0)
    busy_start = machine_busy()
    made, failures, versions = await drive(
        post, pairs, total=args.requests, concurrency=args.concurrency, seconds=args.max_seconds
    )
    end = (time.perf_counter(), cpu_seconds(me), cpu_seconds(other) if other else 0.0)
    busy = machine_busy() - busy_start
    stats = await service.stats()
    refused = sum(stats["deferred_refused"].values())
    if stats["statuses"] != {"201": made} or refused:
        log(f"  {name}: service saw {stats['statuses']}, deferred refusals {refused}")
        failures = max(failures, 1)
    seconds = end[0] - start[0]
    ours = 100 * (end[1] - start[1]) / seconds
    theirs = 100 * (end[2] - start[2]) / seconds
    result = Result(
        client=name,
        latency=latency,
        requests=made,
        rate=made / seconds,
        client_us=1e6 * (end[1] - start[1]) / made,
        service_percent=theirs,
        other_percent=max(0.0, 100 * busy / seconds - ours - theirs),
        version=", ".join(sorted(versions)),
        failures=failures,
    )
    log(f"  {name:<22} {latency * 1000:3.0f} ms  {result.rate:7.0f} req/s  {result.version}")
    return result


async def main(args: argparse.Namespace) -> int:
    results: list[Result] = []
    started = time.perf_counter()
    async with push_service(in_process=args.service == "inprocess") as service:
        await service.configure(defer=args.checks == "deferred")
        pairs, headers = await messages(service, args.subscriptions)
        context = ssl.create_default_context(cafile=service.ca_file)
        for latency in args.latencies:
            async with PushHttp(context, args.concurrency) as http:

                async def ours_post(
                    url: str, body: bytes, http: PushHttp = http
                ) -> tuple[int, str]:
                    answer = await http.post(url, headers, body, seconds=10)
                    return answer.status, "HTTP/1.1"

                results.append(
                    await run_cell(
                        "ours (push_http)", ours_post, service, pairs, latency=latency, args=args
                    )
                )
            # aiohttp with a pool, as the worker used it before
            connector = aiohttp.TCPConnector(limit=args.concurrency, ssl=context)
            async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:

                async def aiohttp_post(url: str, body: bytes) -> tuple[int, str]:
                    async with session.post(
                        url, data=body, headers=headers, allow_redirects=False
                    ) as response:
                        await response.read()
                        version = response.version
                        return (
                            response.status,
                            f"HTTP/{version.major}.{version.minor}" if version else "HTTP/?",
                        )

                results.append(
                    await run_cell(
                        "aiohttp", aiohttp_post, service, pairs, latency=latency, args=args
                    )
                )
            for http2 in (False, True) if HAVE_H2 else (False,):
                limits = httpx.Limits(
                    max_connections=args.concurrency, max_keepalive_connections=args.concurrency
                )
                async with httpx.AsyncClient(
                    verify=context, http2=http2, limits=limits, timeout=10
                ) as client:

                    async def httpx_post(
                        url: str, body: bytes, client: httpx.AsyncClient = client
                    ) -> tuple[int, str]:
                        response = await client.post(url, content=body, headers=headers)
                        return response.status_code, response.http_version

                    name = "httpx http2=True" if http2 else "httpx HTTP/1.1"
                    results.append(
                        await run_cell(name, httpx_post, service, pairs, latency=latency, args=args)
                    )

    print()
    print("Reachout push clients benchmark: raw POSTs/s to the local push service")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, uvloop;"
        f" loopback HTTPS; {args.concurrency} requests in flight; {args.requests} timed"
        f" (or as many as start in {args.max_seconds:g} s) after {args.warmup} warm-up;"
        " pre-encrypted bodies, fixed headers; push service"
        f" {'in its own process' if service.separate else 'in this process'},"
        f" checks {args.checks}"
    )
    print(
        "client us/req = this process's CPU per request; service% / other% = percent of one core"
        " used by the push service's process / anything else on the machine"
    )
    print()
    header = (
        f"{'client':<18} {'latency':>8} {'requests':>8} {'req/s':>7} {'vs aiohttp':>10}"
        f" {'client us/req':>13} {'service%':>8} {'other%':>6}  negotiated"
    )
    print(header)
    print("-" * len(header))
    base: dict[float, float] = {r.latency: r.rate for r in results if r.client == "aiohttp"}
    for r in results:
        print(
            f"{r.client:<18} {r.latency * 1000:>5.0f} ms {r.requests:>8} {r.rate:>7.0f}"
            f" {r.rate / base[r.latency]:>9.2f}x {r.client_us:>13.0f}"
            f" {r.service_percent:>8.0f} {r.other_percent:>6.0f}  {r.version}"
            + ("  FAILED" if r.failures else "")
        )
    print()
    if not HAVE_H2:
        print("httpx http2=True skipped: the h2 package is not installed.")
    h2_versions = {r.version for r in results if r.client == "httpx http2=True"}
    if h2_versions == {"HTTP/1.1"}:
        print(
            "httpx http2=True fell back to HTTP/1.1 (the service offers no h2 in ALPN),"
            " so that row is not an HTTP/2 measurement."
        )
    print(f"total run time {time.perf_counter() - started:.0f} s")
    return 1 if any(r.failures for r in results) else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="timed requests per cell")
    parser.add_argument("--warmup", type=int, default=256, help="untimed requests per cell")
    parser.add_argument(
        "--max-seconds", type=float, default=5.0, help="start no request after this, per cell"
    )
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.0, 0.05])
    parser.add_argument("--subscriptions", type=int, default=256, help="bodies to cycle through")
    parser.add_argument("--service", choices=("process", "inprocess"), default="process")
    parser.add_argument("--checks", choices=("deferred", "inline"), default="deferred")
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (seconds) that checks it still works"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.requests, args.warmup, args.latencies = 40, 8, [0.0]
        args.concurrency, args.subscriptions, args.max_seconds = 8, 8, 2.0
    return args


if __name__ == "__main__":
    import uvloop

    sys.exit(uvloop.run(main(parse_args())))
