"""The card page a share link opens, as anyone with no account sees it (a crowd scanning one
QR code), kept rendered: in each web process (page_cache.py) and in PostgreSQL for all of
them (``card_pages``, migration 0036), so a card is rendered once per version, not once per
process: at a big event most scans reach a process that has not shown that card yet.

One read says which version of the card the link opens and, unless this process keeps that
version already, brings the page another process kept for it. Only a page kept nowhere is
rendered, then kept in both places. Read after the version, from the one primary, the card a
page is rendered from is that version or a newer one: a page is never older than its stamp.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from server.cards import share_tokens
from server.swaps.visits import card_for_token
from server.web.page_cache import Page, PageCache


async def respond(request: Request, render: Callable[[], Awaitable[Response]]) -> Response:
    token = request.path_params["token"]
    pages: PageCache = request.app.state.card_pages
    # Pages another process kept are used only if it renders alike (release.py); None keeps
    # pages in this process alone.
    release: str | None = request.app.state.release
    kept = pages.get(token)
    kept_stamp: Any = kept.stamp if kept is not None else (None, None)
    kept_version, kept_updated_at = kept_stamp
    seen = await card_for_token(
        request,
        token,
        datetime.now(UTC),
        page_of={
            "release": release,
            "kept_version": kept_version,
            "kept_updated_at": kept_updated_at,
        },
    )
    stamp = (seen["version"], seen["updated_at"])
    if kept is not None and kept.stamp == stamp:
        return kept.page.response(request)
    if seen["page"] is not None:
        headers = seen["headers"]
        page = Page(200, tuple(zip(headers[::2], headers[1::2], strict=True)), seen["page"])
    else:
        page = Page.of(await render(), pages.gzip)
        if release is not None and page.status_code == 200:
            await _keep(request, release, seen, page)
    pages.put(token, stamp, page)
    return page.response(request)


async def _keep(request: Request, release: str, seen: asyncpg.Record, page: Page) -> None:
    token = request.path_params["token"]
    # A card deleted meanwhile: nothing to keep.
    with contextlib.suppress(asyncpg.ForeignKeyViolationError):
        await request.app.state.sql.run(
            request.app.state.pool,
            "card_pages.keep",
            account_id=seen["account_id"],
            token=token,
            release=release,
            version=seen["version"],
            updated_at=seen["updated_at"],
            headers=[part for header in page.headers for part in header],
            page=page.gzipped,
            expires_at=share_tokens.decode(
                request.app.state.settings.secret_key, token, datetime.now(UTC)
            ).expires_at,
        )
