"""A Tap form sent from a page of the account signed in before (another tab switched this
phone to another card since): refused as /sync/actions refuses a swap queued under another
account, so the copy tap.js queues for the page's account is the one swap made."""

from __future__ import annotations

import uuid

from server.swaps import sync
from server.tap.routes import ELSEWHERE
from tests.phone import Phone, text_of
from tests.swaps.test_sync import replay
from tests.tap.test_routes import code_of, connections, two_phones
from tests.tap.test_sent_once import LOU, lou_count, queued

ANA = {"name": "Ana Ruiz", "email": "ana@example.com"}


async def account_of(pool, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name))


async def ana_phone(new_phone) -> Phone:  # type: ignore[no-untyped-def]
    ana = await new_phone()
    await ana.make_card(**ANA)
    return ana


async def test_a_code_typed_on_the_page_of_the_card_signed_in_before_is_made_once(new_phone, pool):
    """Ana's Tap page was open when Mia signed in to this phone in another tab; Ana typed
    Dana's code and the answer was lost: her page queued it for Ana, and sends it once Ana is
    signed in here again. Only that copy swaps, and with Ana, never with Mia."""
    dana, mia = await two_phones(new_phone)
    ana = await ana_phone(new_phone)
    code, key, anas = await code_of(dana), str(uuid.uuid4()), await account_of(pool, "Ana Ruiz")

    typed = await mia.post(
        mia.url("tap_code_enter"), {"code": code, "key": key, "account": anas}, htmx=True
    )
    assert typed.status_code == 409
    assert ELSEWHERE in text_of(typed)
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0

    # Its queued copy, sent while Mia is still signed in here: kept for Ana.
    copy = {**queued(key, "code", {"code": code}), "account": anas}
    kept = await replay(mia, copy)
    assert kept.status_code == 409 and kept.json()["message"] == sync.ELSEWHERE
    # Ana signed in again: swapped once, with her.
    made = await replay(ana, copy)
    assert made.json()["message"] == "Swapped with Dana Lee."
    assert await connections(pool, "Dana Lee", "Ana Ruiz") == 2
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0


async def test_a_guest_typed_on_the_page_of_the_card_signed_in_before_is_made_once(new_phone, pool):
    _dana, mia = await two_phones(new_phone)
    ana = await ana_phone(new_phone)
    key, anas = str(uuid.uuid4()), await account_of(pool, "Ana Ruiz")

    typed = await mia.post(mia.url("tap_guest"), {**LOU, "key": key, "account": anas}, htmx=True)
    assert typed.status_code == 409
    assert ELSEWHERE in text_of(typed)
    assert await lou_count(pool) == 0

    made = await replay(ana, {**queued(key, "guest", LOU), "account": anas})
    assert made.status_code == 200 and made.json()["status"] == "done"
    assert await lou_count(pool) == 1
    assert await connections(pool, "Ana Ruiz", "Lou Park") == 2
    assert await connections(pool, "Mia Chen", "Lou Park") == 0


async def test_a_form_naming_its_own_account_claims_its_key_as_its_queued_copy(new_phone, pool):
    """The account sent with the form is no part of what the key stands for: the copy queued
    when the answer was lost (the account beside its payload) gets the first answer."""
    dana, mia = await two_phones(new_phone)
    code, key, mias = await code_of(dana), str(uuid.uuid4()), await account_of(pool, "Mia Chen")
    typed = await mia.post(
        mia.url("tap_code_enter"), {"code": code, "key": key, "account": mias}, htmx=True
    )
    assert typed.status_code == 204
    again = await replay(mia, {**queued(key, "code", {"code": code}), "account": mias})
    assert again.status_code == 200
    assert again.json()["url"] == typed.headers["HX-Redirect"]
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2

    guest_key = str(uuid.uuid4())
    saved = await mia.post(mia.url("tap_guest"), {**LOU, "key": guest_key, "account": mias})
    assert saved.status_code == 303
    copy = await replay(mia, {**queued(guest_key, "guest", LOU), "account": mias})
    assert copy.status_code == 200 and copy.json()["status"] == "done"
    assert await lou_count(pool) == 1
