"""Merging two accounts that both know someone, where one waits for an accept (details left
on a card that asks first) and the other shares everything with them already: the card they
are shown was shared whole already, so it stays shared, nobody is asked to accept it again,
and the "You met" held for that accept goes (tests/signin/test_merge_keeps_ask_first.py: one
still waits where the card kept was never shared whole)."""

from __future__ import annotations

from tests.mailing import sent_once
from tests.phone import Phone, soup, text_of
from tests.reminders import zone_where_it_is
from tests.signin.test_merge_keeps_ask_first import merge
from tests.signin.test_merging import swap

DANA_PHONE = "555-0134"  # of +1 415 555 0134, on Dana's Safari card (the card kept)
SAM_PHONE = "555-0142"


async def leaves_details(phone: Phone, on: Phone, name: str, email: str) -> None:
    """``phone`` leaves its details on ``on``'s card, which asks first (an account made for
    them, signed in there), where it is daytime: their "You met" goes once accepted."""
    left = await phone.post(
        await on.share_link() + "/details",
        {"name": name, "email": email, "time_zone": zone_where_it_is(day=True)},
    )
    assert left.status_code == 303, left.text


async def row(pool, owner: int, other: int) -> int:  # type: ignore[no-untyped-def]
    return int(
        await pool.fetchval(
            "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2", owner, other
        )
    )


async def ids(pool, *emails: str) -> list[int]:  # type: ignore[no-untyped-def]
    found = dict(await pool.fetch("SELECT email, account_id FROM cards"))
    return [int(found[email]) for email in emails]


async def held(pool) -> bool:  # type: ignore[no-untyped-def]
    """Whether the one "You met" waits for an accept (next_attempt_at 'infinity')."""
    return bool(
        await pool.fetchval("SELECT next_attempt_at = 'infinity' FROM emails WHERE kind = 'met'")
    )


def asks_to_accept(page) -> bool:  # type: ignore[no-untyped-def]
    return (
        soup(page).find("button", string=lambda s: s is not None and s.startswith("Accept"))
        is not None
    )


async def test_my_card_kept_shared_whole_stays_so_and_their_you_met_goes(
    new_phone, pool, mail, app
):
    """Dana's Safari card (kept) shares all with Sam; her card in the installed app asks first,
    and Sam left his details there: his "You met" waits for her accept. Merged, Sam still
    sees all of the card kept, she is not asked to accept him, and his "You met" goes."""
    safari = await new_phone()
    await safari.make_card()
    installed = await new_phone()
    await installed.make_card(name="Dana L.", email="dana.l@example.com", phone="")
    await installed.post(installed.url("share_ask_first"), {"ask_details_first": "on"})
    sam = await new_phone()
    await leaves_details(sam, installed, "Sam Park", "sam@example.com")
    # Signed in to the card his details made, Sam swaps with her Safari card too.
    await swap(sam, safari)
    dana, dana_l, sam_id = await ids(
        pool, "dana@example.com", "dana.l@example.com", "sam@example.com"
    )
    assert await held(pool)
    sharing = dict(
        await pool.fetch("SELECT owner_id, sharing FROM contacts WHERE contact_id = $1", sam_id)
    )
    assert sharing == {dana: "all", dana_l: "pending"}
    waiting = await installed.get(
        installed.url("contact", contact_id=await row(pool, dana_l, sam_id))
    )
    assert asks_to_accept(waiting), text_of(waiting)
    assert DANA_PHONE in text_of(
        await sam.get(sam.url("contact", contact_id=await row(pool, sam_id, dana)))
    )

    await merge(safari, installed)

    seen = text_of(await sam.get(sam.url("contact", contact_id=await row(pool, sam_id, dana))))
    assert "Dana Lee" in seen and DANA_PHONE in seen, "Sam still sees the card kept, whole"
    page = await installed.get(installed.url("contact", contact_id=await row(pool, dana, sam_id)))
    assert page.status_code == 200 and not asks_to_accept(page), text_of(page)
    assert "waiting for you to accept" not in text_of(
        await installed.get(installed.url("contacts"))
    )
    assert not await held(pool)
    sent = await sent_once(app, mail)
    assert sent.recipients == ("sam@example.com",) and sent.subject == "You met Dana Lee"


async def test_their_card_shared_whole_with_one_account_is_so_with_both(new_phone, pool, mail, app):
    """Sam shared all his card with Dana's Safari card (before his asked first); in the
    installed app Dana left her details on his card, which asks first now, and waits for his
    accept. Merged, she sees all of his card, as she did; he is not asked to accept her
    again; the "You met" she waited for goes."""
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com", phone="+1 212 555 0142")
    safari = await new_phone()
    # Where it is daytime: the card kept is the one her "You met" goes to, and at night it
    # would wait for her morning (the test then failed in UTC's evening).
    await safari.make_card(time_zone=zone_where_it_is(day=True))
    await swap(safari, sam)
    await sam.post(sam.url("share_ask_first"), {"ask_details_first": "on"})
    installed = await new_phone()
    await leaves_details(installed, sam, "Dana L.", "dana.l@example.com")
    sam_id, dana, dana_l = await ids(
        pool, "sam@example.com", "dana@example.com", "dana.l@example.com"
    )
    assert await held(pool)
    sharing = dict(
        await pool.fetch("SELECT contact_id, sharing FROM contacts WHERE owner_id = $1", sam_id)
    )
    assert sharing == {dana: "all", dana_l: "pending"}
    waiting = await sam.get(sam.url("contact", contact_id=await row(pool, sam_id, dana_l)))
    assert asks_to_accept(waiting), text_of(waiting)

    await merge(safari, installed)

    seen = text_of(
        await installed.get(installed.url("contact", contact_id=await row(pool, dana, sam_id)))
    )
    assert "Sam Park" in seen and SAM_PHONE in seen, "Dana still sees Sam's card whole"
    page = await sam.get(sam.url("contact", contact_id=await row(pool, sam_id, dana)))
    assert page.status_code == 200 and not asks_to_accept(page), text_of(page)
    assert "waiting for you to accept" not in text_of(await sam.get(sam.url("contacts")))
    assert not await held(pool)
    sent = await sent_once(app, mail)
    assert sent.recipients == ("dana.l@example.com",) and sent.subject == "You met Sam Park"
