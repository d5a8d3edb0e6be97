"""The home page, the offline page, and the files a PWA must serve from the root."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from server.sessions import current_account
from server.templating import STATIC_DIR, render


async def index(request: Request) -> Response:
    if await current_account(request) is not None:
        return RedirectResponse(str(request.app.url_path_for("share")), status_code=303)
    return render(request, "home.html")


async def offline(request: Request) -> Response:
    return render(request, "offline.html")


async def service_worker(request: Request) -> Response:
    # Served from the root so its scope covers the whole app.
    return FileResponse(
        STATIC_DIR / "sw.js",
        media_type="text/javascript",
        headers={"cache-control": "no-cache", "service-worker-allowed": "/"},
    )


async def manifest(request: Request) -> Response:
    return FileResponse(
        STATIC_DIR / "manifest.webmanifest",
        media_type="application/manifest+json",
        headers={"cache-control": "public, max-age=3600"},
    )
