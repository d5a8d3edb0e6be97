"""A request to connect that was declined, then a swap between the two, then a Remove: the
asker's "Sent by you" does not show the old request as waiting again. Declining is silent (to
the asker it reads as waiting), so before the swap it was listed there; the swap settled it
(they connected after all), as it settles one still waiting, and once they are apart it stays
settled: not "Sent by you", not "Request sent." on the roster."""

from __future__ import annotations

import pytest

from tests.contacts.test_request_gone_after_remove import names_in
from tests.contacts.test_take_back import contact_of, remove
from tests.phone import text_of
from tests.roster.test_routes import story

ANA, BEN = 2, 3  # story(): the organizer is account 1


@pytest.mark.parametrize("remover", ["asker", "asked"])
async def test_a_declined_request_does_not_come_back_after_a_swap_and_a_remove(
    new_phone, pool, remover
):
    event_id, ana, ben = await story(new_phone, pool)
    assert (
        await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    ).status_code == 303
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    declined = await ana.post(ana.url("request_decide", request_id=request_id, decision="decline"))
    assert declined.status_code == 303
    # Silent: to Ben it reads as waiting.
    assert names_in(await ben.get(ben.url("requests")), "#sent-list") == ["Ana Silva"]

    # They meet at the coffee after all, and swap by her QR code...
    assert (await ben.post((await ana.share_link()) + "/swap")).status_code == 303
    assert names_in(await ben.get(ben.url("requests")), "#sent-list") == []
    # ...then one of them removes the other, for good.
    phone, owner = (ben, BEN) if remover == "asker" else (ana, ANA)
    await remove(phone, await contact_of(pool, owner))
    await pool.execute("UPDATE contact_removals SET undo_until = now() - interval '1 s'")

    assert names_in(await ben.get(ben.url("requests")), "#sent-list") == []
    people = text_of(await ben.get(ben.url("event_people", event_id=event_id)))
    assert "Request sent." not in people
    assert names_in(await ana.get(ana.url("requests")), "#request-list") == []
