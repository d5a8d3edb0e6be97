"""Waiting on something for a browser that may stop waiting first.

A long-poll (the Tap screen's "Swap with Mia?" waiting for Mia's answer) is dropped by the
page when the person bumps again or closes the tab. Starlette does not notice a plain
response's browser hanging up, so the wait would go on, holding its place among the waits
an account may have at once (and a listener), for nobody. Behind a proxy, the proxy must
close its connection to us when the browser closes its own (nginx and most load balancers
do).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from starlette.requests import Request

T = TypeVar("T")


class HungUp(Exception):
    """The browser stopped waiting before the work was done."""


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """What ``work`` gives, or ``HungUp`` once the browser has hung up first; ``work`` is
    then cancelled, and has finished cancelling. Only for a request whose body is read (or
    that has none): the body is what this reads before the hang-up."""
    working = asyncio.ensure_future(work)
    hanging_up = asyncio.ensure_future(_hung_up(request))
    try:
        await asyncio.wait((working, hanging_up), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (working, hanging_up):
            task.cancel()
        # Both finish cancelling first, so that what the work holds (a pool connection, a
        # listener's watch) is let go before the caller gives back its place.
        await asyncio.gather(working, hanging_up, return_exceptions=True)
    if working.cancelled():
        hanging_up.result()  # a receive() that failed raises its error here
        raise HungUp
    return working.result()


async def _hung_up(request: Request) -> None:
    # Once a request's body is read, the server's next message is the browser hanging up
    # (or nothing, until the response is sent).
    while (await request.receive())["type"] != "http.disconnect":
        pass
