"""Named SQL from ``sql/queries/<resource>.sql``, with named parameters and a declared shape.

Each query starts with a ``-- name: <name><shape>`` header, the comment lines under it
saying what it does. The shape suffix says what the query gives back (as in aiosql):
``^`` one row (or None), ``$`` one value, ``!`` nothing, no suffix: a list of rows.

Parameters are written ``:owner_id`` and rewritten to asyncpg's ``$1..$n`` once, at
load time, in order of first appearance (a name used twice is the same ``$n``).
``::type`` casts, string literals, quoted identifiers, dollar-quoted bodies and comments
are left as they are.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import asyncpg

from server.config import PROJECT_ROOT
from server.db.pool import Connection

QUERIES_DIR = PROJECT_ROOT / "sql" / "queries"
_NAME_HEADER = re.compile(r"^-- name: ([a-z_]+)([\^$!]?)\s*$", re.MULTILINE)

# What a query runs on: the pool, or a connection (inside a transaction, say).
Executor = asyncpg.Pool | Connection


class UnstorableText(ValueError):
    """A text parameter holds NUL, which PostgreSQL's text cannot, or half of a surrogate
    pair (JSON's "\\ud800"), which UTF-8 cannot: whoever sent it sent something no page or
    script of ours makes (the web app answers 400)."""


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        if value.isascii():
            return False
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, list | tuple):
        return any(_unstorable(item) for item in value)
    return False


class Shape(Enum):
    """What a query returns, as declared by its header's suffix."""

    ROWS = ""
    ROW = "^"
    VALUE = "$"
    NOTHING = "!"


# One alternation, tried left to right at each position: whatever could hide a
# ":name" (comments, literals, quoted identifiers, dollar quotes, the "::" of a cast)
# is matched first and copied unchanged.
_TOKENS = re.compile(
    r"""
      (?P<line_comment>--[^\n]*)
    | (?P<block_comment>/\*.*?\*/)
    | (?P<escape_string>(?<!\w)[eE]'(?:[^'\\]|\\.|'')*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<identifier>"(?:[^"]|"")*")
    | (?P<dollar_quoted>\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$.*?\$(?P=tag)\$)
    | (?P<cast>::)
    | (?P<param>(?<![:\w]):(?P<name>[A-Za-z_][A-Za-z0-9_]*))
    | (?P<positional>\$[0-9]+)
    """,
    re.VERBOSE | re.DOTALL,
)


def rewrite(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` with each ``:name`` turned into ``$n``, and the names in ``$n`` order.

    Raises ValueError on a positional ``$n`` in the text: mixing the two styles would
    make the numbering ambiguous.
    """
    names: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match["positional"]:
            raise ValueError(f"positional {match['positional']} in named SQL; use :names")
        if not match["param"]:
            return match[0]
        name = match["name"]
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _TOKENS.sub(replace, text), tuple(names)


@dataclass(frozen=True)
class Query:
    """One named query: its ``$n`` SQL, its parameter names in ``$n`` order, its shape."""

    key: str
    sql: str
    params: tuple[str, ...]
    shape: Shape


class Queries(Mapping[str, str]):
    """Named SQL from ``sql/queries/<resource>.sql``, looked up as ``"resource.name"``.

    ``queries["resource.name"]`` is the rewritten ``$n`` text (for tools that run it
    raw, with arguments in ``params(key)`` order); the app calls ``run``.
    """

    def __init__(self, directory: Path = QUERIES_DIR) -> None:
        self._queries: dict[str, Query] = {}
        for path in sorted(directory.glob("*.sql")):
            text = path.read_text()
            headers = list(_NAME_HEADER.finditer(text))
            for header, following in zip(headers, [*headers[1:], None], strict=True):
                end = following.start() if following else len(text)
                key = f"{path.stem}.{header.group(1)}"
                if key in self._queries:
                    raise ValueError(f"query {key} is defined twice")
                try:
                    sql, params = rewrite(text[header.end() : end].strip())
                except ValueError as error:
                    raise ValueError(f"query {key}: {error}") from None
                self._queries[key] = Query(key, sql, params, Shape(header.group(2)))

    def __getitem__(self, key: str) -> str:
        return self._queries[key].sql

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)

    def query(self, key: str) -> Query:
        return self._queries[key]

    def params(self, key: str) -> tuple[str, ...]:
        """The parameter names of a query, in ``$1..$n`` order."""
        return self._queries[key].params

    def args(self, key: str, params: Mapping[str, Any]) -> list[Any]:
        """``params`` as positional arguments for ``queries[key]``.

        Raises TypeError naming the query when a parameter is missing or unknown.
        """
        query = self._queries[key]
        missing = [name for name in query.params if name not in params]
        unknown = sorted(set(params) - set(query.params))
        if missing or unknown:
            problems = []
            if missing:
                problems.append(f"missing parameter(s) {', '.join(missing)}")
            if unknown:
                problems.append(f"unknown parameter(s) {', '.join(unknown)}")
            raise TypeError(f"query {key}: {'; '.join(problems)}")
        args = [params[name] for name in query.params]
        # Refused here, once for every query, rather than met as a 500 from the server.
        if any(_unstorable(arg) for arg in args):
            raise UnstorableText(f"query {key}: a text parameter holds NUL or a lone surrogate")
        return args

    async def run(self, conn: Executor, key: str, /, **params: Any) -> Any:
        """Run query ``key`` on a pool or connection with its named parameters.

        Returns what its declared shape says: a list of rows, one row (or None), one
        value (or None), or None for ``!``.
        """
        args = self.args(key, params)
        sql = self._queries[key].sql
        match self._queries[key].shape:
            case Shape.ROWS:
                return await conn.fetch(sql, *args)
            case Shape.ROW:
                return await conn.fetchrow(sql, *args)
            case Shape.VALUE:
                return await conn.fetchval(sql, *args)
            case Shape.NOTHING:
                await conn.execute(sql, *args)
                return None

    async def batches(
        self, conn: Connection, key: str, /, *, size: int, **params: Any
    ) -> AsyncIterator[list[Any]]:
        """The rows of query ``key`` through a server-side cursor, ``size`` at a time, so a
        large result never sits in memory whole. Only inside a transaction on ``conn``
        (PostgreSQL keeps a cursor no longer than its transaction)."""
        # Not asyncpg's conn.cursor(): it prepares the query as a *named* statement
        # (__asyncpg_stmt_N__, numbered per process) even with the statement cache off, and
        # behind PgBouncer in transaction mode the name outlives the transaction on its server
        # connection, where another process (or this one restarted) making the same name fails
        # ("prepared statement ... already exists"). DECLARE and FETCH are ordinary statements,
        # unnamed with the cache off. The name is new each time: a cursor per call, and a FETCH
        # the cache kept never reads another query's cursor with that one's row types.
        args = self.args(key, params)
        name = f"batch_{secrets.token_hex(8)}"
        await conn.execute(f"DECLARE {name} NO SCROLL CURSOR FOR {self._queries[key].sql}", *args)
        fetch = f"FETCH {size:d} FROM {name}"
        while rows := await conn.fetch(fetch):
            yield rows
        # Left open when the caller stops early: the transaction's end closes it (a CLOSE from a
        # generator finalised later could run on a connection already back in the pool).
        await conn.execute(f"CLOSE {name}")
