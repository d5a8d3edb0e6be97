"""Swapping with a card that asks for details first says "Sent", not "Swapped": the one who
swapped sees only a name and headline until the owner accepts, and every way of swapping
(Swap details on the card page, a scan replayed from the outbox, a code typed on the Tap
screen) and the contact page say so; once accepted, a swap says "Swapped!" again."""

from __future__ import annotations

import httpx

from tests.phone import Phone, soup, text_of
from tests.swaps.test_ask_first import asking_dana
from tests.swaps.test_sync import action, replay, token_of
from tests.tap.test_routes import code_of

SENT = "Sent! Dana Lee has your card. You'll see all their card once they accept."
SWAPPED = "Swapped! Dana Lee has your card, and you have theirs."
WAITING = "Waiting for Dana Lee to accept: you'll see all their card once they do."
SENT_ANSWER = "Sent to Dana Lee: waiting for them to accept."


async def mia_with_a_card(new_phone) -> Phone:  # type: ignore[no-untyped-def]
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    return mia


def status_text(page: httpx.Response) -> str:
    return " ".join(" ".join(s.get_text().split()) for s in soup(page).select("[role=status]"))


async def dana_accepts_mia(dana: Phone, pool) -> None:  # type: ignore[no-untyped-def]
    row = await pool.fetchval(
        """SELECT ct.id FROM contacts ct JOIN cards c ON c.account_id = ct.contact_id
           WHERE c.name = 'Mia Chen' AND ct.sharing = 'pending'"""
    )
    accepted = await dana.post(dana.url("contact_accept", contact_id=row), {})
    assert accepted.status_code == 303


async def test_swap_details_on_a_card_that_asks_first_says_sent_until_accepted(new_phone, pool):
    dana, link = await asking_dana(new_phone)
    mia = await mia_with_a_card(new_phone)
    tapped = await mia.post(link + "/swap", {}, htmx=True)
    assert tapped.status_code == 204
    page = await mia.get(tapped.headers["HX-Redirect"])
    assert SENT in status_text(page)
    assert "Swapped!" not in text_of(page) and "you have theirs" not in text_of(page)
    assert WAITING in text_of(page)
    # The waiting line stays once the notice is gone (opened again from the list).
    again = await mia.get(tapped.headers["HX-Redirect"].split("?")[0])
    assert "Sent!" not in text_of(again) and WAITING in text_of(again)

    await dana_accepts_mia(dana, pool)
    accepted = await mia.get(tapped.headers["HX-Redirect"].split("?")[0])
    assert "Waiting for" not in text_of(accepted)
    assert "dana@example.com" in accepted.text


async def test_a_scan_from_the_outbox_says_sent_then_swapped_once_accepted(new_phone, pool):
    dana, link = await asking_dana(new_phone)
    mia = await mia_with_a_card(new_phone)
    answer = (await replay(mia, action("scan", {"token": token_of(link)}))).json()
    assert answer["status"] == "done" and answer["message"] == SENT_ANSWER, answer
    page = await mia.get(answer["url"])
    assert SENT in status_text(page) and WAITING in text_of(page)
    assert "Swapped" not in text_of(page)

    # Accepted, a scan says it as any swap does.
    await dana_accepts_mia(dana, pool)
    answer = (await replay(mia, action("scan", {"token": token_of(link)}))).json()
    assert answer["message"] == "Swapped with Dana Lee.", answer
    page = await mia.get(answer["url"])
    assert SWAPPED in status_text(page) and "Waiting for" not in text_of(page)


async def test_a_code_typed_after_a_scan_still_waiting_says_sent(new_phone):
    dana, link = await asking_dana(new_phone)
    mia = await mia_with_a_card(new_phone)
    await mia.post(link + "/swap", {})
    typed = await mia.post(mia.url("tap_code_enter"), {"code": await code_of(dana)})
    assert typed.status_code == 303
    page = await mia.get(typed.headers["location"])
    assert SENT in status_text(page) and WAITING in text_of(page)
    queued = (await replay(mia, action("code", {"code": await code_of(dana)}))).json()
    assert queued["message"] == SENT_ANSWER, queued


async def test_name_and_headline_by_choice_is_no_waiting(new_phone, pool):
    """Someone who chose to share only their name and headline with me is not "waiting"."""
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    mia = await mia_with_a_card(new_phone)
    swapped = await mia.post(link + "/swap", {})
    page = await mia.get(swapped.headers["location"])
    assert SWAPPED in status_text(page) and "Waiting for" not in text_of(page)
    row = await pool.fetchval(
        """SELECT ct.id FROM contacts ct JOIN cards c ON c.account_id = ct.contact_id
           WHERE c.name = 'Mia Chen'"""
    )
    chosen = await dana.post(dana.url("contact_sharing", contact_id=row), {"sharing": "basics"})
    assert chosen.status_code in (200, 303)
    page = await mia.get(swapped.headers["location"].split("?")[0])
    assert "dana@example.com" not in page.text and "Waiting for" not in text_of(page)
