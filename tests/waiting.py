"""Waiting in a test for something another task or process does: polled, with a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
WAIT_SECONDS = 10.0


async def eventually(
    check: Callable[[], Awaitable[T | None]],
    what: str,
    seconds: float = WAIT_SECONDS,
    every: float = 0.05,
) -> T:
    """Poll ``check`` until it gives something truthy; fail naming ``what``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    last: Any = None
    while loop.time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(every)
    pytest.fail(f"{what} within {seconds} s (last seen: {last!r})")
