""" "You met" from throwaway cards (review r67): a confirmed address got up to 30 a day, one per
card, and a card costs a script nothing, so one person could fill someone's inbox with cards
made for it. Now cards made in the last day, or whose owner never confirmed an address, send
one address at most 3 a day between them; the swaps themselves are made as ever (only the
email is skipped), deleting the cards afterwards frees nothing, and established cards email
as before."""

from __future__ import annotations

from tests.mailing import confirm_addresses
from tests.phone import Phone, text_of
from tests.tap.test_guest_email_said_alike import confirmed_account

VIC = "vic@example.com"
MET_TO_VIC = "SELECT count(*) FROM emails WHERE kind = 'met' AND to_address = $1"
NEW_CARDS_A_DAY = 3  # written out: a different number fails on what reaches the inbox


async def card(new_phone, name: str, email: str = "") -> Phone:
    phone = await new_phone()
    await phone.make_card(name=name, email=email)
    return phone


async def vic_left_on(new_phone, sharer: Phone, sharer_name: str) -> None:
    """Someone with no card leaves Vic's address on ``sharer_name``'s link: the swap is made,
    and the page says so."""
    link = await sharer.share_link()
    visitor = await new_phone()
    left = await visitor.post(link + "/details", {"name": "Vic Tim", "email": VIC})
    assert left.status_code == 303, left.text
    page = await visitor.get(left.headers["location"])
    assert page.status_code == 200
    assert f"Done! {sharer_name} has your details" in text_of(page)


async def contacts_named(pool, name: str) -> int:
    return await pool.fetchval(
        "SELECT count(*) FROM contacts x JOIN cards c ON c.account_id = x.contact_id"
        " WHERE c.name = $1",
        name,
    )


async def test_throwaway_cards_send_a_confirmed_inbox_three_a_day_and_the_swaps_stand(
    new_phone, pool
):
    await confirmed_account(new_phone, pool, "Vic Tim", VIC)
    throwaway = [await card(new_phone, f"Mallory {n}") for n in range(6)]
    for n, sharer in enumerate(throwaway):
        await vic_left_on(new_phone, sharer, f"Mallory {n}")
    assert await pool.fetchval(MET_TO_VIC, VIC) == NEW_CARDS_A_DAY
    # Every swap stands: each card has the person who left their details, and they it.
    assert await pool.fetchval(
        "SELECT count(*) FROM contacts x JOIN cards c ON c.account_id = x.owner_id"
        " WHERE c.name LIKE 'Mallory %'"
    ) == len(throwaway)
    assert await contacts_named(pool, "Vic Tim") == len(throwaway)

    # Typed as a guest on a new card's own phone: saved, as the screen says, and not emailed.
    typer = await card(new_phone, "Mallory Typer")
    typed = await typer.post(typer.url("tap_guest"), {"name": "Vic Guest", "email": VIC})
    assert typed.status_code == 303, text_of(typed)
    assert await contacts_named(pool, "Vic Guest") == 1
    assert await pool.fetchval(MET_TO_VIC, VIC) == NEW_CARDS_A_DAY

    # The cards deleted (their emails go with them): the day's count stays.
    await pool.execute("SELECT delete_account(account_id) FROM cards WHERE name LIKE 'Mallory %'")
    assert await pool.fetchval(MET_TO_VIC, VIC) == 0
    await vic_left_on(new_phone, await card(new_phone, "Mallory Again"), "Mallory Again")
    assert await pool.fetchval(MET_TO_VIC, VIC) == 0

    # A card two days old whose owner never confirmed an address is no established card.
    aged = await card(new_phone, "Old Unconfirmed")
    await pool.execute(
        "UPDATE accounts SET created_at = now() - interval '2 days' WHERE id ="
        " (SELECT account_id FROM cards WHERE name = 'Old Unconfirmed')"
    )
    await vic_left_on(new_phone, aged, "Old Unconfirmed")
    assert await pool.fetchval(MET_TO_VIC, VIC) == 0

    # A day later, new cards email her again.
    await pool.execute("UPDATE limit_slots SET slot = slot - interval '1 day 1 hour'")
    await vic_left_on(new_phone, await card(new_phone, "Mallory Tomorrow"), "Mallory Tomorrow")
    assert await pool.fetchval(MET_TO_VIC, VIC) == 1


async def test_established_cards_email_a_confirmed_inbox_as_before(new_phone, pool):
    """Vic meets people at a big event: the new cards' three are used up, and each card of
    more than a day with a confirmed address still emails her its one "You met"."""
    await confirmed_account(new_phone, pool, "Vic Tim", VIC)
    for n in range(NEW_CARDS_A_DAY + 1):
        await vic_left_on(new_phone, await card(new_phone, f"Newcomer {n}"), f"Newcomer {n}")
    assert await pool.fetchval(MET_TO_VIC, VIC) == NEW_CARDS_A_DAY
    people = [await card(new_phone, f"Known {n}", f"known{n}@example.com") for n in range(5)]
    await confirm_addresses(pool, *(f"known{n}@example.com" for n in range(5)))
    await pool.execute(
        "UPDATE accounts SET created_at = now() - interval '2 days' WHERE id IN"
        " (SELECT account_id FROM cards WHERE name LIKE 'Known %')"
    )
    for n, person in enumerate(people):
        await vic_left_on(new_phone, person, f"Known {n}")
    assert await pool.fetchval(MET_TO_VIC, VIC) == NEW_CARDS_A_DAY + len(people)
