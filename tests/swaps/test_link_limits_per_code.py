"""A share link's hour used up by whoever holds a screenshot of it: "Make a new code" ends
that link, and the new one takes details and swaps at once, not an hour later."""

from __future__ import annotations

from server.swaps import rates
from tests.phone import text_of
from tests.swaps.test_flood import details, sharer, used


async def used_up(pool, rule, account_id: int) -> None:
    """The hour used up however it is counted: on the link, and on the card's owner (as it
    was before links counted on themselves), so the new code's answer is the test."""
    await used(pool, rule, await link_key(pool, account_id), rule.most)
    await used(pool, rule, account_id, rule.most)


async def link_key(pool, account_id: int) -> str:
    """The key a link's limits count on: its card's share id and generation."""
    return await pool.fetchval(
        "SELECT share_id || ' ' || share_generation FROM cards WHERE account_id = $1", account_id
    )


async def test_a_new_code_takes_details_the_old_link_was_refused(new_phone, visitor, pool):
    dana, link = await sharer(new_phone)
    await used_up(pool, rates.NEW_PER_LINK, 1)
    stranger = await visitor("192.0.2.40")
    refused = await stranger.post(link + "/details", details(1))
    assert refused.status_code == 429
    assert "Lots of people left their details on this card" in text_of(refused)

    assert (await dana.post(dana.url("share_reset"))).status_code in (200, 303)
    new_link = await dana.share_link()
    assert new_link != link
    real = await visitor("192.0.2.50")
    answer = await real.post(new_link + "/details", details(2))
    assert answer.status_code == 303, text_of(answer)
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE owner_id = 1") == 1


async def test_a_new_code_swaps_the_old_link_was_refused(new_phone, pool):
    dana, link = await sharer(new_phone)
    await used_up(pool, rates.SWAPS_PER_LINK, 1)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    refused = await mia.post(link + "/swap")
    assert refused.status_code == 429
    assert "Lots of people swapped with this card" in text_of(refused)

    await dana.post(dana.url("share_reset"))
    new_link = await dana.share_link()
    swapped = await mia.post(new_link + "/swap")
    assert swapped.status_code == 303, text_of(swapped)
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE owner_id = 2") == 1


async def test_a_link_stops_at_its_limit_and_counts_on_itself(new_phone, visitor, pool):
    _dana, link = await sharer(new_phone)
    key = await link_key(pool, 1)
    await used(pool, rates.NEW_PER_LINK, key, rates.NEW_PER_LINK.most - 1)
    first = await visitor("192.0.2.60")
    assert (await first.post(link + "/details", details(1))).status_code == 303
    second = await visitor("192.0.2.61")
    assert (await second.post(link + "/details", details(2))).status_code == 429
    hits = await pool.fetchval(
        "SELECT sum(hits) FROM limit_slots WHERE bucket = $1 AND key = $2",
        rates.NEW_PER_LINK.bucket,
        key,
    )
    assert hits == rates.NEW_PER_LINK.most
