"""A wait given up when the browser hangs up (server/web/disconnects.py), through the ASGI
messages a server sends; the real server's hang-up is in tests/browser/test_dropped_waits.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.web.disconnects import HungUp, unless_disconnected


def request_that(hangs_up_after: float | None = None, fails: bool = False) -> Request:
    """A GET whose browser hangs up after ``hangs_up_after`` seconds (never: None)."""
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        if fails:  # as BodySizeLimitMiddleware refuses a body sent where none belongs
            raise HTTPException(413)
        if hangs_up_after is None:
            await asyncio.Event().wait()
        await asyncio.sleep(hangs_up_after or 0)
        return {"type": "http.disconnect"}

    return Request({"type": "http", "method": "GET", "headers": []}, receive)


async def test_the_answer_comes_while_the_browser_waits():
    async def work() -> str:
        await asyncio.sleep(0.01)
        return "Swap with Mia?"

    assert await unless_disconnected(request_that(), work()) == "Swap with Mia?"


async def test_a_hang_up_stops_the_work_and_lets_go_of_what_it_held():
    held = []

    async def work() -> str:
        held.append("a place among the waits")
        try:
            await asyncio.sleep(20)
        finally:
            await asyncio.sleep(0.01)  # giving it back takes a round trip
            held.clear()
        return "too late"

    started = asyncio.get_running_loop().time()
    with pytest.raises(HungUp):
        await unless_disconnected(request_that(hangs_up_after=0.05), work())
    assert held == []
    assert asyncio.get_running_loop().time() - started < 5


async def test_the_works_error_is_not_taken_for_a_hang_up():
    async def work() -> str:
        raise LookupError("that bump is gone")

    with pytest.raises(LookupError):
        await unless_disconnected(request_that(), work())


async def test_a_refusal_while_reading_is_answered_not_taken_for_a_hang_up():
    async def work() -> str:
        await asyncio.sleep(20)
        return "too late"

    with pytest.raises(HTTPException) as refused:
        await unless_disconnected(request_that(fails=True), work())
    assert refused.value.status_code == 413
