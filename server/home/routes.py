"""The start page, the offline page, ``/healthz``, and the files a PWA serves from the root."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.web.auth import viewer
from server.web.templating import STATIC_DIR, render
from server.web.urls import Urls, url_path

# Loaded by the worker itself with importScripts, so not part of the shell it precaches.
WORKER_SCRIPTS = ("sw-cache.js", "sw-push.js", "outbox.js")
NOT_IN_SHELL = {"sw.js", "sw-cache.js", "sw-push.js", "manifest.webmanifest"}


async def home(request: Request) -> Response:
    if viewer(request).account_id is not None:
        return RedirectResponse(url_path(request, "share"), status_code=303)
    return render(request, "home.html")


async def offline(request: Request) -> Response:
    return render(request, "offline.html")


def worker_script(static_urls: Mapping[str, str], urls: Urls) -> tuple[str, str]:
    """``sw.js`` with its version, the versioned shell URLs and the app's own URLs (from the
    route table) in front; and that version.

    The shell is every static file the pages load, by the very URLs they use
    (``/static/x?v=hash``), so a changed file means a new worker with a new cache.
    """
    shell = sorted(
        url
        for path, url in static_urls.items()
        if path not in NOT_IN_SHELL and not path.endswith(".LICENSE")
    )
    imports = [static_urls[path] for path in WORKER_SCRIPTS]
    app_urls = urls.for_worker()
    body = (STATIC_DIR / "sw.js").read_text()
    version = hashlib.sha256(json.dumps([shell, imports, app_urls, body]).encode()).hexdigest()[:12]
    header = (
        "// Written by server/home/routes.py: this version, what it precaches, our URLs.\n"
        f"var REACHOUT_VERSION = {json.dumps(version)};\n"
        f"var REACHOUT_SHELL = {json.dumps(shell)};\n"
        f"var REACHOUT_IMPORTS = {json.dumps(imports)};\n"
        f"var REACHOUT_URLS = {app_urls};\n"
    )
    return header + body, version


async def service_worker(request: Request) -> Response:
    # Static files are versioned once at start-up, so the worker is the same until a restart.
    script, version = request.app.state.worker_script
    etag = f'"{version}"'
    # Served from the root so its scope covers the whole app.
    headers = {"cache-control": "no-cache", "service-worker-allowed": "/", "etag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(script, media_type="text/javascript", headers=headers)


async def manifest(request: Request) -> Response:
    return FileResponse(
        STATIC_DIR / "manifest.webmanifest",
        media_type="application/manifest+json",
        headers={"cache-control": "public, max-age=3600"},
    )


async def healthz(request: Request) -> JSONResponse:
    try:
        async with asyncio.timeout(2):
            await request.app.state.pool.fetchval("SELECT 1")
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


routes = [
    Route("/", home, name="home"),
    Route("/healthz", healthz, name="healthz"),
    Route("/offline", offline, name="offline"),
    Route("/sw.js", service_worker, name="service_worker"),
    Route("/manifest.webmanifest", manifest, name="manifest"),
]
