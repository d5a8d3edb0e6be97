"""Keyset pagination: a page of rows, and the link to the next page (``?after=...``).

A list is fetched with ``LIMIT PAGE_SIZE + 1``, ordered by a key that is unique (a moment
and an id, or a name and an id), and continued after the last row shown: the query asks for
rows beyond that key, so the database reads one page through its index however far down
the list is, where ``OFFSET`` would read and throw away every row before it. A row added or
removed meanwhile shifts nothing: no row is shown twice or skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request

from server.web.forms import an_id
from server.web.urls import url_path

PAGE_SIZE = 50
PARAM = "after"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# The last moment a datetime holds: a cursor beyond it names no row.
LAST_MICROSECOND = (datetime(9999, 12, 31, tzinfo=UTC) - EPOCH) // MICROSECOND

Row = TypeVar("Row")


@dataclass(frozen=True)
class After:
    """Where the next page starts: after the row at ``at`` with ``id`` (None: the first)."""

    at: datetime | None = None
    id: int | None = None


def after_moment(request: Request) -> After:
    """``?after=<microseconds since 1970>.<id>``, or the first page for anything else."""
    return read_moment(request.query_params.get(PARAM, "")) or After()


def read_moment(cursor: str) -> After | None:
    """``<microseconds since 1970>.<id>`` (moment_cursor()) read back; None if it is not one."""
    moment, _, row_id = cursor.partition(".")
    micros, number = an_id(moment), an_id(row_id)
    if micros is None or number is None or micros > LAST_MICROSECOND:
        return None
    return After(EPOCH + micros * MICROSECOND, number)


def moment_cursor(at: datetime, row_id: int) -> str:
    return f"{(at - EPOCH) // MICROSECOND}.{row_id}"


def after_id(request: Request) -> int | None:
    """``?after=<id>``, for lists continued after one row by its id; None: the first page."""
    return an_id(request.query_params.get(PARAM))


def page(rows: Sequence[Row], cursor: Callable[[Row], str]) -> tuple[list[Row], str | None]:
    """The first PAGE_SIZE of ``rows`` (fetched with ``LIMIT PAGE_SIZE + 1``) and, when there
    are more, the cursor after the last of them."""
    shown = list(rows[:PAGE_SIZE])
    return shown, cursor(shown[-1]) if len(rows) > PAGE_SIZE else None


def more_url(
    request: Request,
    name: str,
    after: str | None,
    path: dict[str, Any] | None = None,
    **query: Any,
) -> str | None:
    """The next page's URL: the named route with the list's own filters (``query``, empty
    ones left out) and ``after``; None when there is no next page."""
    if after is None:
        return None
    kept = {key: value for key, value in query.items() if value not in (None, "")}
    return url_path(request, name, **(path or {})) + "?" + urlencode({**kept, PARAM: after})


async def by_moment(
    request: Request,
    query: str,
    moment: str,
    route: str,
    *,
    keep: dict[str, Any] | None = None,
    **params: Any,
) -> tuple[list[Any], str | None]:
    """One page of a list ordered by a moment and an id, continued from ``?after=``: named
    query ``query`` (taking ``after_at``, ``after_id`` and ``limit`` besides ``params``), its
    rows' ``moment`` column, and the next page's URL, on route ``route`` with the list's
    filters ``keep`` (None when there is no next page)."""
    after = after_moment(request)
    found = await request.app.state.sql.run(
        request.app.state.pool,
        query,
        after_at=after.at,
        after_id=after.id,
        limit=PAGE_SIZE + 1,
        **params,
    )
    rows, cursor = page(found, lambda row: moment_cursor(row[moment], row["id"]))
    return rows, more_url(request, route, cursor, **(keep or {}))
