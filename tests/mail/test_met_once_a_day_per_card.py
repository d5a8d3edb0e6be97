"""A confirmed address gets a busy day's "You met" emails (30), but one card gets at most one
of them a day: its owner cannot send a stranger's inbox 30 emails of their wording by typing
the address on their own card's link again and again."""

from __future__ import annotations

from tests.mailing import confirm_addresses, leaves_details

MET_TO_MIA = "SELECT about_id FROM emails WHERE kind = 'met' AND to_address = 'mia@example.com'"


async def test_one_card_sends_a_confirmed_address_one_you_met_a_day(new_phone, pool):
    mallory = await new_phone()
    await mallory.make_card(name="Mallory Mean", email="mallory@example.com")
    await leaves_details(new_phone, mallory, email="mia@example.com")
    await confirm_addresses(pool, "mia@example.com")
    for _ in range(3):
        await leaves_details(new_phone, mallory, email="Mia@example.com")
    assert len(await pool.fetch(MET_TO_MIA)) == 1, "one a day from Mallory's card"

    # Another card still gets its one in (the per-address caps are as they were) ...
    dana = await new_phone()
    await dana.make_card(name="Dana Lee", email="dana@example.com")
    await leaves_details(new_phone, dana, email="mia@example.com")
    assert len(await pool.fetch(MET_TO_MIA)) == 2
    # ... and Mallory's card its next one a day later.
    await pool.execute("UPDATE emails SET created_at = now() - interval '25 hours'")
    await leaves_details(new_phone, mallory, email="mia@example.com")
    assert len(await pool.fetch(MET_TO_MIA)) == 3
