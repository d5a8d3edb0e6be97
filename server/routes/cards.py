"""My card: view, click-to-edit (htmx or plain form), inline field checks, and the photo."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server import card_fields, photos, sessions, time_zones
from server.forms import read_form, text
from server.htmx import htmx, redirect
from server.sessions import current_account
from server.templating import render


def phone_region(request: Request) -> str:
    return card_fields.region_from(
        request.headers.get("accept-language", ""), request.app.state.settings.default_phone_region
    )


async def load_card(request: Request, account_id: int) -> Any:
    return await request.app.state.pool.fetchrow(request.app.state.sql["cards.get"], account_id)


async def my_card(request: Request) -> tuple[int, Any] | None:
    """The signed-in account and its card, or None before the first card is saved."""
    account_id = await current_account(request)
    card = await load_card(request, account_id) if account_id else None
    if account_id is None or card is None:
        return None
    return account_id, card


def blank_values() -> dict[str, str]:
    return dict.fromkeys(card_fields.FIELD_NAMES, "")


async def show(request: Request) -> Response:
    account_id = await current_account(request)
    card = await load_card(request, account_id) if account_id else None
    if card is None:
        return render(request, "card_edit.html", {"values": blank_values(), "errors": {}})
    return render(request, "card.html", {"card": card}, fragment="_card_view.html")


async def edit(request: Request) -> Response:
    account_id = await current_account(request)
    card = await load_card(request, account_id) if account_id else None
    values = {name: card[name] for name in card_fields.FIELD_NAMES} if card else blank_values()
    return render(
        request,
        "card_edit.html",
        {"values": values, "errors": {}, "card": card},
        fragment="_card_form.html",
    )


async def save(request: Request) -> Response:
    form = await read_form(request)
    values, errors = card_fields.validate(form, phone_region(request))
    account_id = await current_account(request)
    if errors:
        card = await load_card(request, account_id) if account_id else None
        return render(
            request,
            "card_edit.html",
            {"values": values, "errors": errors, "card": card},
            status_code=422,
            fragment="_card_form.html",
        )
    sql = request.app.state.sql
    ordered = [values[name] for name in card_fields.FIELD_NAMES]
    if account_id is None:
        # The first thing a person saves creates their account and session.
        token, token_hash = sessions.new_token()
        time_zone = time_zones.choose(text(form, "time_zone"), request.app.state.time_zones)
        await request.app.state.pool.execute(
            sql["accounts.create_with_card"], token_hash, *ordered, time_zone
        )
        response = redirect(request, str(request.app.url_path_for("share")))
        sessions.set_cookie(response, token, secure=request.app.state.settings.secure_cookies)
        return response
    await request.app.state.pool.execute(sql["cards.update"], account_id, *ordered)
    if htmx(request):
        card = await load_card(request, account_id)
        return render(
            request, "card.html", {"card": card, "saved": True}, fragment="_card_view.html"
        )
    return RedirectResponse(str(request.app.url_path_for("card")) + "?saved=1", status_code=303)


async def check_field(request: Request) -> Response:
    """Inline validation as the person leaves a field; saves nothing."""
    name = request.path_params["field"]
    if name not in card_fields.BY_NAME:
        raise HTTPException(404)
    form = await read_form(request)
    values, errors = card_fields.validate(form, phone_region(request), (name,))
    return render(
        request,
        "_card_field.html",
        {"field": card_fields.BY_NAME[name], "values": values, "errors": errors},
        status_code=422 if errors else 200,
    )


async def _photo_response(
    request: Request, account_id: int, error: str | None, status_code: int = 200
) -> Response:
    if not htmx(request) and error is None:
        return RedirectResponse(str(request.app.url_path_for("card")), status_code=303)
    card = await load_card(request, account_id)
    return render(
        request,
        "card.html",
        {"card": card, "photo_error": error},
        status_code=status_code,
        fragment="_card_photo.html",
    )


async def upload_photo(request: Request) -> Response:
    account_id = await current_account(request)
    if account_id is None:
        raise HTTPException(403, "Save your card first, then add a photo.")
    form = await read_form(request)
    try:
        upload = form.get("photo")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
    finally:
        await form.close()  # the spooled temporary file behind the upload
    try:
        jpeg = await run_in_threadpool(photos.process, data)
    except photos.NotAnImage as refused:
        return await _photo_response(request, account_id, str(refused), 422)
    sql = request.app.state.sql
    key = photos.new_key()
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        await conn.execute(sql["photos.create"], key, account_id, jpeg)
        await conn.execute(sql["cards.set_photo"], account_id, key)
        await conn.execute(sql["photos.delete_unused"], account_id)
    return await _photo_response(request, account_id, None)


async def remove_photo(request: Request) -> Response:
    account_id = await current_account(request)
    if account_id is None:
        raise HTTPException(403, "Save your card first.")
    await read_form(request)
    sql = request.app.state.sql
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        await conn.execute(sql["cards.set_photo"], account_id, None)
        await conn.execute(sql["photos.delete_unused"], account_id)
    return await _photo_response(request, account_id, None)


async def photo(request: Request) -> Response:
    key = request.path_params["key"]
    jpeg = await request.app.state.pool.fetchval(request.app.state.sql["photos.get"], key)
    if jpeg is None:
        raise HTTPException(404)
    # The key changes with every upload, so the bytes behind a URL never change.
    return Response(
        jpeg,
        media_type="image/jpeg",
        headers={"cache-control": "private, max-age=31536000, immutable"},
    )
