"""A bump between two who already swapped by scanning a card that asks for details first, still
unaccepted: the bump adds nothing to what either sees, so neither page says "Swapped!". The one
who scanned is told it went and waits for the accept (as a scan says it); the card's owner, that
the other sees only their name, headline and photo until they accept. Accepted, a bump says
"Swapped!" again."""

from __future__ import annotations

import asyncio
import time

from tests.phone import Phone, text_of
from tests.swaps.test_ask_first import asking_dana
from tests.swaps.test_pending_said import (
    SENT,
    WAITING,
    dana_accepts_mia,
    mia_with_a_card,
    status_text,
)
from tests.tap.test_routes import bump

MIA_TO_ACCEPT = (
    "Saved! Mia Chen is in your contacts. They see only your name, headline and photo until"
    " you accept them."
)


async def bump_and_confirm(dana: Phone, mia: Phone) -> tuple[str, str]:
    """Dana and Mia bump and both say yes: where each page is sent."""
    now = time.time() * 1000
    first, second = await asyncio.gather(bump(dana, now), bump(mia, now + 30))
    assert first.json()["state"] == second.json()["state"] == "paired"
    dana_bump, mia_bump = first.json()["bump_id"], second.json()["bump_id"]
    await dana.post(dana.url("bump_confirm", bump_id=dana_bump), htmx=True)
    done = await mia.post(mia.url("bump_confirm", bump_id=mia_bump), htmx=True)
    assert done.status_code == 204
    # Dana's page asks again (its wait woke): the same answer, as JSON for the outbox too.
    asked = await dana.get(
        dana.url("bump_status", bump_id=dana_bump), headers={"accept": "application/json"}
    )
    assert asked.json()["state"] == "swapped"
    htmx_asked = await dana.get(
        dana.url("bump_status", bump_id=dana_bump), headers={"HX-Request": "true"}
    )
    assert htmx_asked.headers["HX-Redirect"] == asked.json()["url"]
    return asked.json()["url"], done.headers["HX-Redirect"]


async def test_a_bump_after_a_scan_still_waiting_says_so_on_both_phones(new_phone, pool):
    dana, link = await asking_dana(new_phone)
    mia = await mia_with_a_card(new_phone)
    assert (await mia.post(link + "/swap", {})).status_code == 303

    dana_url, mia_url = await bump_and_confirm(dana, mia)
    mia_page = await mia.get(mia_url)
    assert SENT in status_text(mia_page) and WAITING in text_of(mia_page)
    assert "Swapped!" not in text_of(mia_page) and "you have theirs" not in text_of(mia_page)
    assert "dana@example.com" not in mia_page.text

    dana_page = await dana.get(dana_url)
    assert MIA_TO_ACCEPT in status_text(dana_page)
    assert "Swapped!" not in text_of(dana_page) and "has your card" not in text_of(dana_page)
    assert "Accept and share my card with Mia Chen" in text_of(dana_page)

    # Accepted, the same bump reads as any swap.
    await dana_accepts_mia(dana, pool)
    dana_url, mia_url = await bump_and_confirm(dana, mia)
    for phone, url, other in ((mia, mia_url, "Dana Lee"), (dana, dana_url, "Mia Chen")):
        page = await phone.get(url)
        said = status_text(page)
        assert f"Swapped! {other} has your card, and you have theirs." in said, said
        assert "Waiting for" not in text_of(page)
