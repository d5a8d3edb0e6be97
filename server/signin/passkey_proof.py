"""The two requests of "Confirm with a passkey", wherever a page asks for the proof that it is
the account's owner (deleting it, "Confirm it's you" in Settings): the challenge for the
account's own passkeys, and the answer, which proves this session afresh
(``server/signin/proving.py``). Each page's handlers keep their own guard and say where to go
next."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.signin import passkeys, proving
from server.web.auth import signed_in_account, signed_in_session
from server.web.forms import read_json


async def options(request: Request) -> Response:
    """The challenge, offering only the signed-in account's passkeys."""
    app = request.app
    body = await passkeys.options_for_account(
        app.state.pool, app.state.sql, app.state.settings.base_url, signed_in_account(request)
    )
    return Response(body, media_type="application/json", headers={"cache-control": "no-store"})


async def answer(request: Request, then: str) -> Response:
    """The passkey's answer: this session is proven and the page goes to ``then``; else why
    not, for the page to say."""
    credential = await read_json(request)
    app = request.app
    try:
        async with app.state.pool.acquire() as conn, conn.transaction():
            await proving.check_passkey(
                conn,
                app.state.sql,
                app.state.settings.base_url,
                signed_in_session(request),
                credential,
            )
    except passkeys.Refused as refused:
        return JSONResponse({"error": str(refused)}, status_code=400)
    return JSONResponse({"redirect": then})
