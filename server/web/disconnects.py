"""Waiting on something for a browser that may stop waiting first.

A long-poll (the Tap screen's "Swap with Mia?" waiting for Mia's answer) is dropped by the
page when the person bumps again or closes the tab. Starlette does not notice a plain
response's browser hanging up, so the wait would go on, holding its place among the waits
an account may have at once (and a listener), for nobody.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from starlette.requests import Request

T = TypeVar("T")


async def unless_disconnected(request: Request, work: Awaitable[T]) -> tuple[bool, T | None]:
    """``(True, work's result)``, or ``(False, None)`` once the browser hangs up first, when
    ``work`` is cancelled (and has finished cancelling)."""
    working = asyncio.ensure_future(work)
    hanging_up = asyncio.ensure_future(_hung_up(request))
    try:
        await asyncio.wait((working, hanging_up), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (working, hanging_up):
            task.cancel()
        # A work that cancels lets go of what it holds before the caller goes on.
        await asyncio.gather(working, hanging_up, return_exceptions=True)
    if working.cancelled():
        return False, None
    return True, working.result()


async def _hung_up(request: Request) -> None:
    # Once a request's body is read, the server's next message is the browser hanging up
    # (or nothing, until the response is sent).
    while (await request.receive())["type"] != "http.disconnect":
        pass
