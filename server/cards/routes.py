"""My card (view, click-to-edit, inline checks, photo) and ``/share`` (my QR code and link)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.cards import continuing, fields, photos
from server.cards.cards import blank_values, load_card, phone_region
from server.cards.sharing import share_url, tag_url, until_words
from server.db import time_zones
from server.swaps import rates
from server.web import limits, qr, sessions
from server.web.auth import signed_in, signed_in_account, viewer
from server.web.errors import signed_out_here
from server.web.forms import read_form, text
from server.web.htmx import htmx, redirect
from server.web.notices import with_notice
from server.web.opened_for import FIELD, refuse_if_opened_for_another
from server.web.templating import render
from server.web.urls import url_path


async def show_card(request: Request) -> Response:
    account_id = viewer(request).account_id
    card = await load_card(request, account_id) if account_id else None
    if card is None:
        going_on = continuing.then(request.query_params.get("then"))
        return render(
            request,
            "card_edit.html",
            {"values": blank_values(), "errors": {}, **continuing.context(going_on)},
        )
    return render(request, "card.html", {"card": card}, fragment="_card_view.html")


# The editor's hidden field (the first card's form has none): the version of the text fields
# it showed (cards.fields_changed_at), both the mark of a form for a card that exists and what
# its save is checked against.
AS_OF = "card_as_of"

SIGNED_OUT_HERE = signed_out_here("your card", deleted=False)
DELETED_HERE = signed_out_here("this card", deleted=True) + " To start again, make a new card."


def _as_of(card: Any) -> str | None:
    return card["fields_changed_at"].isoformat() if card else None


def _moment(value: str | None) -> datetime | None:
    """A version sent back by the editor, or None for one unreadable (it then counts as
    changed since)."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _card_form(
    request: Request, status_code: int, values: dict[str, str], **context: Any
) -> Response:
    """The card editor showing ``values``: the card as saved, or what was typed and not saved
    (with what is wrong, in ``context``). It names the card signed in (``opened_for.py``),
    unless ``opened_for`` says which card it was opened for."""
    return render(
        request,
        "card_edit.html",
        {
            "values": values,
            "errors": {},
            "card": None,
            "as_of": None,
            "opened_for": None,
            **context,
        },
        status_code=status_code,
        fragment="_card_form.html",
    )


async def card_edit(request: Request) -> Response:
    account_id = viewer(request).account_id
    card = await load_card(request, account_id) if account_id else None
    values = {name: card[name] for name in fields.FIELD_NAMES} if card else blank_values()
    return _card_form(request, 200, values, card=card, as_of=_as_of(card))


async def _first_card(
    request: Request, values: dict[str, str], going_on: str | None, typed_zone: str
) -> Response:
    """The first thing a person saves creates their account and session; refused (429, in
    the form with what was typed, nothing made) when their address made too many lately."""
    token, token_hash = sessions.new_token()
    time_zone = time_zones.choose(typed_zone, request.app.state.time_zones)
    try:
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            # A fresh cookie jar is a fresh account, which then joins events and swaps signed
            # in, counting nothing there: the address's backstop counts it here.
            await rates.first_card(conn, request)
            await request.app.state.sql.run(
                conn,
                "accounts.create_with_card",
                token_hash=token_hash,
                time_zone=time_zone,
                **values,
            )
    except limits.TooMany as too_many:
        refused = _card_form(
            request, 429, values, refused=str(too_many.detail), **continuing.context(going_on)
        )
        refused.headers.update(too_many.headers or {})
        return refused
    response = redirect(request, continuing.after_new_card(request, going_on))
    sessions.set_cookie(response, token, secure=request.app.state.settings.secure_cookies)
    return response


async def card_save(request: Request) -> Response:
    form = await read_form(request)
    values, errors = fields.validate(form, phone_region(request))
    account_id = viewer(request).account_id
    going_on = continuing.then(form.get("then"))
    sent_as_of = form.get(AS_OF)
    as_of = sent_as_of if isinstance(sent_as_of, str) else None
    if account_id is None and as_of is not None:
        # The editor of a card, from a browser signed out since (Settings on another device):
        # taken as a first card, it would make a second account with a copy of the card.
        # The marker stays in the form, so saving again is refused too until signed in.
        return _card_form(
            request,
            403,
            values,
            errors=errors,
            as_of=as_of,
            signed_out_here=DELETED_HERE if viewer(request).account_deleted else SIGNED_OUT_HERE,
            # Still naming its card: signed in again as another, saving again is refused.
            opened_for=text(form, FIELD),
        )
    if account_id is not None:
        # Before the version check: the other card's version, given back with "changed on
        # another phone or tab", would let Save again write this form onto it.
        refuse_if_opened_for_another(request, form, account_id, page="card_edit")
    if errors:
        card = await load_card(request, account_id) if account_id else None
        return _card_form(
            request,
            422,
            values,
            errors=errors,
            card=card,
            as_of=as_of,
            **continuing.context(going_on),
        )
    sql = request.app.state.sql
    if account_id is None:
        return await _first_card(request, values, going_on, text(form, "time_zone"))
    saved = await sql.run(
        request.app.state.pool,
        "cards.update",
        account_id=account_id,
        checked=as_of is not None,
        seen=_moment(as_of),
        **values,
    )
    if saved is None:
        card = await load_card(request, account_id)
        if card is None:  # the account deleted from another browser meanwhile
            return _card_form(request, 403, values, as_of=as_of, signed_out_here=DELETED_HERE)
        # What the card says now where it differs from the form; the form now carries the
        # card's current version, so saving again replaces it knowingly.
        changed = [
            (field.label, card[field.name])
            for field in fields.FIELDS
            if card[field.name] != values[field.name]
        ]
        return _card_form(
            request, 409, values, card=card, as_of=_as_of(card), changed_elsewhere=changed
        )
    if htmx(request):
        card = await load_card(request, account_id)
        return render(
            request, "card.html", {"card": card, "saved": True}, fragment="_card_view.html"
        )
    return RedirectResponse(with_notice(url_path(request, "card"), "card_saved"), status_code=303)


async def card_check(request: Request) -> Response:
    """Inline validation as the person leaves a field; saves nothing."""
    name = request.path_params["field"]
    if name not in fields.BY_NAME:
        raise HTTPException(404)
    form = await read_form(request)
    values, errors = fields.validate(form, phone_region(request), (name,))
    return render(
        request,
        "_card_field.html",
        {"field": fields.BY_NAME[name], "values": values, "errors": errors, "field_check": True},
        status_code=422 if errors else 200,
    )


async def _photo_response(
    request: Request, account_id: int, error: str | None, status_code: int = 200
) -> Response:
    if not htmx(request) and error is None:
        return RedirectResponse(url_path(request, "card"), status_code=303)
    card = await load_card(request, account_id)
    return render(
        request,
        "card.html",
        # The fragment carries the card at the top of the page too (out of band): its avatar
        # is the photo, or the initial once it is gone.
        {"card": card, "photo_error": error, "with_card_view": htmx(request).wants_fragment},
        status_code=status_code,
        fragment="_card_photo.html",
    )


@signed_in(message="Save your card first, then add a photo.")
async def card_photo(request: Request) -> Response:
    account_id = signed_in_account(request)
    # The body read first even when refused: a browser still sending it when the connection
    # closes may show a network error instead of the answer.
    form = await read_form(request, max_files=1)
    try:
        # A card page of another card (switched in another tab) would put its photo on this
        # one. Before counting: a refused upload uses none of the person's uploads.
        refuse_if_opened_for_another(request, form, account_id, page="card")
        # Counted before decoding, the costly part (one at a time per process): a refused
        # upload never waits its turn for it.
        await photos.count_upload(request, account_id)
        upload = form.get("photo")
        # Decoded from the spooled temporary file, not a copy in memory: uploads waiting
        # for their turn to decode hold no more than the parser's spool each.
        jpeg = await photos.process_upload(
            request, upload.file if isinstance(upload, UploadFile) else b""
        )
    except limits.TooMany as too_many:
        refused = await _photo_response(request, account_id, str(too_many.detail), 429)
        refused.headers.update(too_many.headers or {})
        return refused
    except photos.NotAnImage as not_an_image:
        return await _photo_response(request, account_id, str(not_an_image), 422)
    finally:
        await form.close()  # the spooled temporary file behind the upload
    sql = request.app.state.sql
    key = photos.new_key()
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        stored = await sql.run(conn, "photos.create", key=key, account_id=account_id, jpeg=jpeg)
        if stored is not None:
            await sql.run(conn, "cards.set_photo", account_id=account_id, photo_key=key)
            await sql.run(conn, "photos.delete_unused", account_id=account_id)
    if stored is None:
        # The account was deleted from another browser while the photo was on its way.
        raise HTTPException(403, signed_out_here("this photo", deleted=True))
    return await _photo_response(request, account_id, None)


PHOTO_CHANGED = (
    "Not removed: the photo on your card was changed on another phone or tab since this page"
    " was opened. This is your photo now; remove it too if you want none."
)


@signed_in(message="Save your card first.")
async def card_photo_remove(request: Request) -> Response:
    account_id = signed_in_account(request)
    form = await read_form(request)
    # Another card's page names a photo this card lacks: refused as "changed on another phone
    # or tab", it showed this card's photo in that card's page.
    refuse_if_opened_for_another(request, form, account_id, page="card")
    sql = request.app.state.sql
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        removed = await sql.run(
            conn, "cards.remove_photo", account_id=account_id, photo_key=text(form, "photo_key")
        )
        if removed is not None:
            await sql.run(conn, "photos.delete_unused", account_id=account_id)
    if removed is None:
        card = await load_card(request, account_id)
        # Already removed elsewhere (or the account deleted meanwhile): what was asked for
        # is done.
        if card is not None and card["photo_key"] is not None:
            return await _photo_response(request, account_id, PHOTO_CHANGED, 409)
    return await _photo_response(request, account_id, None)


async def photo(request: Request) -> Response:
    key = request.path_params["key"]
    jpeg = await request.app.state.sql.run(request.app.state.pool, "photos.get", key=key)
    if jpeg is None:
        raise HTTPException(404)
    # The key changes with every upload, so the bytes behind a URL never change.
    return Response(
        jpeg,
        media_type="image/jpeg",
        headers={"cache-control": "private, max-age=31536000, immutable"},
    )


@signed_in(redirect="card")
async def share(request: Request) -> Response:
    account_id = signed_in_account(request)
    card = await load_card(request, account_id)
    url, expires_at, event = await share_url(
        request, account_id, card["share_generation"], card["share_id"]
    )
    local_expiry = expires_at.astimezone(ZoneInfo(viewer(request).time_zone))
    return render(
        request,
        "share.html",
        {
            "card": card,
            "event": event,
            "share_link": url,
            "tag_link": tag_url(request, card["share_id"], card["share_generation"]),
            "expires_at": local_expiry,
            "works_until": until_words(local_expiry),
            # segno is pure Python (~10 ms a code): keep it off the event loop.
            "qr_svg": await run_in_threadpool(
                qr.svg, url, title=f"QR code for {card['name']}'s card"
            ),
        },
    )


@signed_in(message="Save your card first.")
async def share_reset(request: Request) -> Response:
    account_id = signed_in_account(request)
    # A new code for the card signed in now, from another card's page, would stop that card's
    # printed codes and written NFC tags working, unasked.
    refuse_if_opened_for_another(request, await read_form(request), account_id, page="share")
    await request.app.state.sql.run(
        request.app.state.pool, "cards.reset_share", account_id=account_id
    )
    return RedirectResponse(with_notice(url_path(request, "share"), "code_reset"), status_code=303)


@signed_in(message="Save your card first.")
async def share_ask_first(request: Request) -> Response:
    account_id = signed_in_account(request)
    form = await read_form(request)
    refuse_if_opened_for_another(request, form, account_id, page="share")
    enabled = text(form, "ask_details_first") == "on"
    await request.app.state.sql.run(
        request.app.state.pool,
        "cards.set_ask_details_first",
        account_id=account_id,
        enabled=enabled,
    )
    if htmx(request):
        card = await load_card(request, account_id)
        return render(request, "_ask_first.html", {"card": card, "saved": True})
    return RedirectResponse(url_path(request, "share"), status_code=303)


routes = [
    Route("/card", show_card, methods=["GET"], name="card"),
    Route("/card", card_save, methods=["POST"], name="card_save"),
    Route("/card/edit", card_edit, name="card_edit"),
    Route("/card/check/{field}", card_check, methods=["POST"], name="card_check"),
    Route("/card/photo", card_photo, methods=["POST"], name="card_photo"),
    Route("/card/photo/remove", card_photo_remove, methods=["POST"], name="card_photo_remove"),
    Route("/photos/{key}", photo, name="photo"),
    Route("/share", share, name="share"),
    Route("/share/reset", share_reset, methods=["POST"], name="share_reset"),
    Route("/share/ask-first", share_ask_first, methods=["POST"], name="share_ask_first"),
]
