"""A request to connect that a swap answered stays answered: after either of the two removes
the other, it is not back in Requests (theirs or the asker's "Sent by you"), its Accept
connects nobody, and Undo brings back the connection, not the request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contacts.test_take_back import button_form, contact_of, remove
from tests.phone import Phone, soup, text_of
from tests.roster.test_routes import story

ANA, BEN = 2, 3


def names_in(page: Any, selector: str) -> list[str]:
    return [name.get_text(strip=True) for name in soup(page).select(f"{selector} .name")]


async def ben_asks_then_they_swap(new_phone: Any, pool: Any) -> tuple[Phone, Phone, Any]:
    """Ben asks Ana to connect at the event; before she answers they swap by her link. Her
    Requests page, opened while the request waited, still holds its Accept form."""
    event_id, ana, ben = await story(new_phone, pool)
    asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    assert asked.status_code == 303
    requests_page = await ana.get(ana.url("requests"))
    assert names_in(requests_page, "#request-list") == ["Ben Ode"]
    accept = button_form(requests_page, "Accept")
    swapped = await ben.post((await ana.share_link()) + "/swap")
    assert swapped.status_code == 303
    return ana, ben, accept


async def neither_sees_the_request(ana: Phone, ben: Phone) -> None:
    assert names_in(await ana.get(ana.url("requests")), "#request-list") == []
    assert "Ben Ode" not in text_of(await ana.get(ana.url("requests")))
    assert names_in(await ben.get(ben.url("requests")), "#sent-list") == []


@pytest.mark.parametrize("remover", ["asker", "asked"])
async def test_a_request_answered_by_a_swap_does_not_come_back_after_a_remove(
    new_phone, pool, remover
):
    ana, ben, accept = await ben_asks_then_they_swap(new_phone, pool)
    phone, owner = (ben, BEN) if remover == "asker" else (ana, ANA)
    await remove(phone, await contact_of(pool, owner))
    # Past the Undo: removed for good.
    await pool.execute("UPDATE contact_removals SET undo_until = now() - interval '1 s'")

    await neither_sees_the_request(ana, ben)
    # The Accept of a page opened before: there is nothing to accept, and nobody is connected.
    pressed = await ana.post(accept["action"])
    assert pressed.status_code in (303, 404)
    assert "Ben Ode" not in text_of(await ana.get(ana.url("contacts")))
    assert "Ana Silva" not in text_of(await ben.get(ben.url("contacts")))
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0


async def test_undo_of_the_remove_brings_back_the_connection_not_the_request(new_phone, pool):
    ana, ben, _ = await ben_asks_then_they_swap(new_phone, pool)
    listing = await remove(ben, await contact_of(pool, BEN))
    undone = await ben.post(button_form(await ben.get(listing), "Undo")["action"])
    assert undone.status_code == 303
    assert "Ana Silva" in text_of(await ben.get(ben.url("contacts")))
    assert "Ben Ode" in text_of(await ana.get(ana.url("contacts")))
    await neither_sees_the_request(ana, ben)

    # Removed again, for good this time: still nothing to answer.
    await remove(ben, await contact_of(pool, BEN))
    await pool.execute("UPDATE contact_removals SET undo_until = now() - interval '1 s'")
    await neither_sees_the_request(ana, ben)
