"""Page weight: what a phone downloads, compressed, to show the two pages people see at an event.

It starts the real server (``python -m server web`` on loopback, with a fresh
database, as bench/swap.py does), creates a card through HTTP, then loads with
headless Chromium (``/usr/bin/chromium``, 360x740 mobile viewport, a fresh
browser context each time, so a cold cache):

- ``/c/<token>`` as a visitor with no cookies: the page a scanned QR code opens;
- ``/share`` as the card's owner (their session cookie): the QR code page.

For each page it prints the number of requests, the bytes transferred over the
wire (compressed bodies plus response headers, from the DevTools protocol's
``Network.loadingFinished`` ``encodedDataLength``, as DevTools' "transferred"
shows), and the compressed size of the HTML document alone (body, and body plus
headers, from Playwright's ``request.sizes()``), then every request. Requests
the service worker makes while it installs after the page has loaded are
counted separately and in the total (their body sizes from ``Content-Length``,
as Playwright reports none for them). Sizes are in bytes; KB means 1,000 bytes.

Aims: under 30 KB transferred in total per page, and the HTML of ``/c/<token>``
within 14 KB compressed (about what TCP delivers in its first round trip).

Run it::

    make bench                            # bench/swap.py, then this
    .venv/bin/python bench/pageweight.py  # about 10 seconds
    .venv/bin/python bench/pageweight.py --check  # exit 1 when an aim is not met
    .venv/bin/python bench/pageweight.py --smoke  # the same run: it is already seconds

It exits 1 when a page or one of its requests fails; a missed aim is only
reported unless ``--check`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _seed import Sharer, make_sharer
from _server import bench_database, web_server
from playwright.async_api import Browser, Request, ViewportSize, async_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 360, "height": 740}
AIM_TOTAL_BYTES = 30_000
AIM_HTML_BYTES = 14_000
SW_WAIT_MS = 5000


@dataclass
class Fetch:
    path: str
    kind: str
    status: int = 0
    encoding: str = ""
    transferred: int = 0  # headers + body as received, from Network.loadingFinished
    failed: str = ""
    by_service_worker: bool = False


@dataclass
class PageWeight:
    label: str
    path: str
    status: int
    html_body: int  # compressed body of the document
    html_headers: int
    html_encoding: str
    html_raw: int  # the document decoded, for the compression ratio
    fetches: list[Fetch] = field(default_factory=list)

    @property
    def page_fetches(self) -> list[Fetch]:
        return [f for f in self.fetches if not f.by_service_worker]

    @property
    def sw_fetches(self) -> list[Fetch]:
        return [f for f in self.fetches if f.by_service_worker]

    @staticmethod
    def total(fetches: list[Fetch]) -> int:
        return sum(f.transferred for f in fetches)


def short(url: str, token: str) -> str:
    parts = urlsplit(url)
    path = parts.path.replace(token, "<token>") if token else parts.path
    return path + (f"?{parts.query}" if parts.query else "")


async def measure(
    browser: Browser, base_url: str, label: str, path: str, cookies: dict[str, str], token: str
) -> PageWeight:
    context = await browser.new_context(
        viewport=VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        if cookies:
            await context.add_cookies(
                [{"name": name, "value": value, "url": base_url} for name, value in cookies.items()]
            )
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        records: dict[str, Fetch] = {}

        def sent(event: dict[str, Any]) -> None:
            url = event["request"]["url"]
            if not url.startswith("data:"):
                records[event["requestId"]] = Fetch(short(url, token), event.get("type", ""))

        def received(event: dict[str, Any]) -> None:
            record = records.get(event["requestId"])
            if record is not None:
                record.status = event["response"]["status"]
                headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
                record.encoding = headers.get("content-encoding", "")

        def finished(event: dict[str, Any]) -> None:
            record = records.get(event["requestId"])
            if record is not None:
                record.transferred = int(event["encodedDataLength"])

        def failed(event: dict[str, Any]) -> None:
            record = records.get(event["requestId"])
            if record is not None:
                record.failed = event.get("errorText", "failed")

        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.loadingFailed", failed)
        await cdp.send("Network.enable")

        # The service worker's own fetches are not the page's: Playwright reports them on the
        # context (request.service_worker is set), with their sizes.
        sw_requests: list[Request] = []
        context.on(
            "requestfinished",
            lambda request: sw_requests.append(request) if request.service_worker else None,
        )

        response = await page.goto(base_url + path, wait_until="load")
        if response is None:
            raise RuntimeError(f"no response for {path}")
        await page.wait_for_load_state("networkidle")
        # A phone keeps the page open: let the service worker register and install.
        await page.evaluate(
            """(ms) => 'serviceWorker' in navigator ? Promise.race([
                navigator.serviceWorker.ready.then(() => true),
                new Promise((resolve) => setTimeout(() => resolve(false), ms)),
            ]) : false""",
            SW_WAIT_MS,
        )
        await page.wait_for_load_state("networkidle")
        await asyncio.sleep(0.3)

        sizes = await response.request.sizes()
        weight = PageWeight(
            label,
            path.replace(token, "<token>") if token else path,
            response.status,
            sizes["responseBodySize"],
            sizes["responseHeadersSize"],
            (await response.header_value("content-encoding")) or "none",
            len(await response.body()),
            list(records.values()),
        )
        for request in sw_requests:
            weight.fetches.append(await service_worker_fetch(request, token))
        return weight
    finally:
        await context.close()


async def service_worker_fetch(request: Request, token: str) -> Fetch:
    """A fetch made by the service worker; its body size is read from Content-Length.

    Playwright's body sizes for service-worker fetches come out as 0 or negative
    (importScripts, the script itself), while the header sizes are right; every
    response here has a Content-Length, which is the size as sent (compressed).
    """
    fetch = Fetch(short(request.url, token), request.resource_type, by_service_worker=True)
    response = await request.response()
    if response is None:
        fetch.failed = request.failure or "no response"
        return fetch
    sizes = await request.sizes()
    fetch.status = response.status
    fetch.encoding = await response.header_value("content-encoding") or ""
    length = await response.header_value("content-length")
    body = int(length) if length and length.isdigit() else max(0, sizes["responseBodySize"])
    fetch.transferred = body + max(0, sizes["responseHeadersSize"])
    return fetch


def report(weights: list[PageWeight], browser_version: str) -> tuple[str, bool]:
    lines = [
        "Reachout page weight",
        f"Chromium {browser_version}, headless, {VIEWPORT['width']}x{VIEWPORT['height']} mobile"
        " viewport, cold cache (a fresh context per page), loopback",
        "bytes over the wire, compressed, response headers included unless said; KB = 1,000 bytes;",
        "requests and bytes: the page's own + the service worker's install after load",
        "",
        f"{'page':<22} {'requests':>8} {'page bytes':>10} {'+ sw':>7} {'total':>7}"
        f"   {'HTML body':>9} {'+headers':>8} {'encoding':>8} {'raw HTML':>8}",
        "-" * 98,
    ]
    ok = True
    for w in weights:
        page_bytes = w.total(w.page_fetches)
        sw_bytes = w.total(w.sw_fetches)
        requests = f"{len(w.page_fetches)}+{len(w.sw_fetches)}"
        lines.append(
            f"{w.label + ' ' + w.path:<22} {requests:>8}"
            f" {page_bytes:>10,} {sw_bytes:>7,} {page_bytes + sw_bytes:>7,}"
            f"   {w.html_body:>9,} {w.html_body + w.html_headers:>8,} {w.html_encoding:>8}"
            f" {w.html_raw:>8,}"
        )
    lines.append("")
    for w in weights:
        total = w.total(w.fetches)
        page_bytes = w.total(w.page_fetches)
        verdict = "MET" if total < AIM_TOTAL_BYTES else "NOT MET"
        ok &= total < AIM_TOTAL_BYTES
        lines.append(
            f"aim: {w.path} under {AIM_TOTAL_BYTES / 1000:.0f} KB in total: {verdict}"
            f" ({total / 1000:.1f} KB with the service worker's install,"
            f" {page_bytes / 1000:.1f} KB for the page itself)"
        )
        if w.path.startswith("/c/"):
            verdict = "MET" if w.html_body <= AIM_HTML_BYTES else "NOT MET"
            ok &= w.html_body <= AIM_HTML_BYTES
            lines.append(
                f"aim: {w.path} HTML within {AIM_HTML_BYTES / 1000:.0f} KB compressed: {verdict}"
                f" ({w.html_body / 1000:.1f} KB body,"
                f" {(w.html_body + w.html_headers) / 1000:.1f} KB with headers)"
            )
    for w in weights:
        lines += ["", f"{w.label} {w.path}: every request"]
        lines.append(f"  {'bytes':>7}  {'status':>6} {'encoding':<8} {'type':<14} path")
        for f in w.fetches:
            kind = f"sw:{f.kind}" if f.by_service_worker else f.kind
            lines.append(
                f"  {f.transferred:>7,}  {f.status:>6} {f.encoding or '-':<8} {kind:<14} {f.path}"
                + (f"  FAILED {f.failed}" if f.failed else "")
            )
    return "\n".join(lines), ok


async def main(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="reachout-pageweight-") as tmpdir:
        tmp = Path(tmpdir)
        async with (
            bench_database(tmp / "pg") as database,
            web_server(database.url, tmp, workers=1) as server,
        ):
            sharer: Sharer = await make_sharer(server.base_url)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
                )
                try:
                    pages = [
                        ("visitor", f"/c/{sharer.token}", {}),
                        ("owner", "/share", sharer.cookies),
                    ]
                    weights = [
                        await measure(browser, server.base_url, label, path, cookies, sharer.token)
                        for label, path, cookies in pages
                    ]
                    version = browser.version
                finally:
                    await browser.close()
    text, ok = report(weights, version)
    print(text)
    bad = [w for w in weights if w.status != 200 or any(f.failed for f in w.fetches)]
    if bad:
        print("ERROR: a page or one of its requests failed")
        return 1
    return 0 if ok or not args.check else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default=CHROMIUM, help="the Chromium to drive")
    parser.add_argument("--check", action="store_true", help="exit 1 when an aim is not met")
    parser.add_argument(
        "--smoke", action="store_true", help="the same run as without it: it is already seconds"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
