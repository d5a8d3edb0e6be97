"""The floor for bench/swap.py: the least a swap must do, on the same server stack as ours.

A bare Starlette app on an asyncpg pool, run by uvicorn with the web process's own options
(``server.__main__.uvicorn_options``: the same workers, proxy headers, no access log), against
the same PostgreSQL, in tables of its own (``floor_*``, made at start-up):

- ``GET /c/<token>``: one read (the card the token names), rendered into a small HTML page
  with a two-field form;
- ``POST /c/<token>/details``: the form read, two inserts in one transaction (the person,
  and their connection to the card's owner), a session cookie, ``303`` to ``/welcome/<id>``;
- ``GET /healthz``: up.

No middleware, templates, validation, limits or mail: what our app does beyond this is
what the ratio in bench/swap.py prices. Started by ``floor_server`` in ``_server.py``
(``python bench/_floor.py`` with ``PORT``, ``DATABASE_URL``, ``WEB_CONCURRENCY``, and
``SECRET_KEY`` and ``FLOOR_WRITES`` for the second way below).

With ``FLOOR_WRITES=ours`` (``bench/swap.py --floor-writes ours``) the same bare app reads
and writes what ours does instead, by calling our own functions: the page reads our card by
the share token (``visits.card_for_token``), and the POST runs our one statement for a swap
(``joining.join_by_link``: the limits, the account, card, session, connection both ways,
follow-ups and "You met"), still with no middleware, templates or validation. Its ratio to
ours prices our web layer alone, the database's work being the same on both sides (for the
swap; its card page reads the whole card at every request, where ours, for a page it keeps,
reads only which version of the card it is).
"""

from __future__ import annotations

import html
import os
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from server.db.pool import create_pool  # noqa: E402 - with the project on sys.path
from server.db.queries import Queries  # noqa: E402
from server.swaps import joining, visits  # noqa: E402
from server.web import garbage, sessions  # noqa: E402

SCHEMA = """
CREATE TABLE IF NOT EXISTS floor_cards (
    id bigserial PRIMARY KEY,
    token text NOT NULL UNIQUE,
    name text NOT NULL,
    headline text NOT NULL
);
CREATE TABLE IF NOT EXISTS floor_people (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL,
    session_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS floor_contacts (
    id bigserial PRIMARY KEY,
    card_token text NOT NULL,
    person_id bigint NOT NULL REFERENCES floor_people (id),
    met_at timestamptz NOT NULL DEFAULT now()
);
"""
CARD = "SELECT id, name, headline FROM floor_cards WHERE token = $1"
PERSON = "INSERT INTO floor_people (name, email, session_token) VALUES ($1, $2, $3) RETURNING id"
CONTACT = "INSERT INTO floor_contacts (card_token, person_id) VALUES ($1, $2)"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>{name}</h1><p>{headline}</p>
<form method="post" action="/c/{token}/details">
<label>Name <input name="name" required></label>
<label>Email <input name="email" type="email"></label>
<button type="submit">Send my details</button></form></body></html>"""


def card_html(row: Any, token: str) -> Response:
    """The small card page, with the details form."""
    return HTMLResponse(
        PAGE.format(
            name=html.escape(row["name"]),
            headline=html.escape(row["headline"]),
            token=html.escape(token),
        )
    )


async def card_page(request: Request) -> Response:
    token = request.path_params["token"]
    row = await request.app.state.pool.fetchrow(CARD, token)
    if row is None:
        return PlainTextResponse("no such card", status_code=404)
    return card_html(row, token)


async def leave_details(request: Request) -> Response:
    form = await request.form()
    name, email = str(form.get("name", "")), str(form.get("email", ""))
    session = secrets.token_urlsafe(32)
    # The card is the one the token in the URL names, as the page just read it: no read here.
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        person_id = await conn.fetchval(PERSON, name, email, session)
        await conn.execute(CONTACT, request.path_params["token"], person_id)
    response = RedirectResponse(f"/welcome/{person_id}", status_code=303)
    response.set_cookie("floor_session", session, httponly=True, samesite="lax")
    return response


async def our_card_page(request: Request) -> Response:
    token = request.path_params["token"]
    # Ours: the card at its generation, or the 404/410 ours answers (an HTTPException).
    card = await visits.card_for_token(request, token, datetime.now(UTC))
    return card_html(card, token)


async def our_leave_details(request: Request) -> Response:
    form = await request.form()
    values = {"name": str(form.get("name", "")), "email": str(form.get("email", ""))}
    token, token_hash = sessions.new_token()
    # Ours: refused limits raise TooMany, answered 429 as any HTTPException is.
    joined = await joining.join_by_link(
        request,
        values,
        token_hash=token_hash,
        time_zone="UTC",
        attempt=joining.attempt_hash(form),
    )
    if joined is None:
        return PlainTextResponse("no such card", status_code=404)
    response = RedirectResponse(f"/welcome/{joined['newcomer_contact']}", status_code=303)
    response.set_cookie("floor_session", token, httponly=True, samesite="lax")
    return response


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def setup(database_url: str, tokens: list[str]) -> None:
    """The floor's tables, and a card for each token (by the benchmark, for each concurrency's
    tokens; not with our writes, which use our cards)."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(SCHEMA)
        await conn.executemany(
            "INSERT INTO floor_cards (token, name, headline) VALUES ($1, $2, $3)"
            " ON CONFLICT (token) DO NOTHING",
            [(t, f"Dana Lee {n}", "Recruiter, fashion and apparel") for n, t in enumerate(tokens)],
        )
    finally:
        await conn.close()


def create_app() -> Starlette:
    database_url = os.environ["DATABASE_URL"]
    ours = os.environ.get("FLOOR_WRITES") == "ours"
    # Behind a transaction pooler (DATABASE_DIRECT_URL set apart), as ours: no statement cache.
    direct_url = os.environ.get("DATABASE_DIRECT_URL") or database_url

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Our pool, made as ours is (its size, and no reset round trip on release).
        app.state.pool = await create_pool(
            database_url, application_name="floor", statement_cache=direct_url == database_url
        )
        try:
            # Collected as our web process is (server/app.py): the ratio prices what we do,
            # not a collector setting only one side has.
            with garbage.collected_rarely():
                yield
        finally:
            await app.state.pool.close()

    app = Starlette(
        routes=[
            Route("/c/{token}", our_card_page if ours else card_page),
            Route(
                "/c/{token}/details", our_leave_details if ours else leave_details, methods=["POST"]
            ),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )
    # What our read and write for a swap take from the app (visits.py, joining.py).
    app.state.sql = Queries()
    app.state.settings = SimpleNamespace(secret_key=os.environ.get("SECRET_KEY", ""))
    return app


def main() -> None:
    import uvicorn

    from server.__main__ import uvicorn_options

    uvicorn.run(
        "_floor:create_app",
        **uvicorn_options(
            production=False,
            port=int(os.environ["PORT"]),
            workers=int(os.environ.get("WEB_CONCURRENCY", "1")),
        ),
    )


if __name__ == "__main__":
    main()
