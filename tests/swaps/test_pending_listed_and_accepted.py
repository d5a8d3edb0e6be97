"""A swap still waiting on a card that asks for details first, seen from the contacts list and
from a request to connect accepted at an event: the list says who I wait for (as their page
does), and accepting a request says what it made, not "Swapped!", while either card still
waits to be accepted."""

from __future__ import annotations

import httpx

from tests.phone import Phone, soup, text_of
from tests.roster.test_routes import story
from tests.swaps.test_ask_first import asking_dana
from tests.swaps.test_pending_said import dana_accepts_mia, mia_with_a_card, status_text

WAITING_LINE = "Waiting for them to accept"


def line_for(page: httpx.Response, name: str) -> str:
    """The contacts list's line for ``name``."""
    [line] = [li for li in soup(page).select("#contact-list li") if name in li.get_text()]
    return " ".join(line.get_text(" ").split())


async def test_the_contacts_list_says_whom_i_wait_for_until_they_accept(new_phone, pool):
    dana, link = await asking_dana(new_phone)
    mia = await mia_with_a_card(new_phone)
    assert (await mia.post(link + "/swap", {})).status_code == 303

    listed = await mia.get(mia.url("contacts"))
    assert WAITING_LINE in line_for(listed, "Dana Lee")
    # Dana's list: Mia waits for her, not she for Mia.
    theirs = line_for(await dana.get(dana.url("contacts")), "Mia Chen")
    assert "waiting for you to accept" in theirs and WAITING_LINE not in theirs
    # The htmx fragment (a search as you type) says it too.
    found = await mia.get(mia.url("contacts") + "?q=dana", headers={"HX-Request": "true"})
    assert WAITING_LINE in line_for(found, "Dana Lee")

    await dana_accepts_mia(dana, pool)
    assert WAITING_LINE not in line_for(await mia.get(mia.url("contacts")), "Dana Lee")


async def asks_first(phone: Phone) -> str:
    await phone.post(phone.url("share_ask_first"), {"ask_details_first": "on"})
    return await phone.share_link()


async def ben_asks_ana(new_phone, pool) -> tuple[Phone, Phone, int]:  # type: ignore[no-untyped-def]
    event_id, ana, ben = await story(new_phone, pool)
    asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    assert asked.status_code == 303
    return ana, ben, int(await pool.fetchval("SELECT id FROM connect_requests"))


async def accept_twice(ana: Phone, request_id: int) -> list[str]:
    """Ana accepts, and taps Accept again (another device): what each page says."""
    accept = ana.url("request_decide", request_id=request_id, decision="accept")
    said = []
    for _ in range(2):
        accepted = await ana.post(accept)
        assert accepted.status_code == 303
        said.append(status_text(await ana.get(accepted.headers["location"])))
    return said


async def test_accepting_a_request_after_scanning_their_card_still_waiting_says_sent(
    new_phone, pool
):
    """Ben asked Ana; meanwhile Ana scanned Ben's card, which asks first, and Ben has yet to
    accept her: accepting his request leaves her waiting for that."""
    ana, ben, request_id = await ben_asks_ana(new_phone, pool)
    assert (await ana.post(await asks_first(ben) + "/swap", {})).status_code == 303
    sent = "Sent! Ben Ode has your card. You'll see all their card once they accept."
    for said in await accept_twice(ana, request_id):
        assert sent in said and "Swapped!" not in said, said


async def test_accepting_a_request_while_they_wait_for_my_accept_says_so(new_phone, pool):
    """Ben asked Ana; meanwhile he scanned Ana's card, which asks first, and she has yet to
    accept him there: he still sees only her name, headline and photo."""
    ana, ben, request_id = await ben_asks_ana(new_phone, pool)
    assert (await ben.post(await asks_first(ana) + "/swap", {})).status_code == 303
    to_accept = (
        "Saved! Ben Ode is in your contacts. They see only your name, headline and photo until"
        " you accept them."
    )
    for said in await accept_twice(ana, request_id):
        assert to_accept in said and "Swapped!" not in said, said
    page = await ana.get(ana.url("contact", contact_id=await contact_of(pool, 2, 3)))
    assert "Accept and share my card with Ben Ode" in text_of(page)


async def test_accepting_a_request_with_nothing_waiting_says_swapped(new_phone, pool):
    ana, _ben, request_id = await ben_asks_ana(new_phone, pool)
    for said in await accept_twice(ana, request_id):
        assert "Swapped! Ben Ode has your card, and you have theirs." in said, said


async def contact_of(pool, owner_id: int, contact_id: int) -> int:  # type: ignore[no-untyped-def]
    return int(
        await pool.fetchval(
            "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2",
            owner_id,
            contact_id,
        )
    )
