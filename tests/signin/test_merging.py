"""Two accounts, one person: signing in where another card with contacts lives offers to
merge it in (contacts, follow-ups, notes, events, devices) or to keep them apart."""

from __future__ import annotations

from tests.phone import soup, text_of
from tests.signin.test_moving import show_code


async def swap(phone, other) -> None:
    response = await phone.post((await other.share_link()) + "/swap")
    assert response.status_code == 303


async def two_accounts_and_a_shared_contact(new_phone, pool):
    """Dana's card in Safari (met Sam and Ana); in the installed app she made a second card by
    mistake and met Sam again there (and Ben)."""
    safari = await new_phone()
    await safari.make_card()
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    ana = await new_phone()
    await ana.make_card(name="Ana Silva", email="ana@example.com")
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email="ben@example.com")
    await swap(safari, sam)
    await swap(safari, ana)
    installed = await new_phone()
    await installed.make_card(name="Dana L.", email="dana.l@example.com")
    await swap(installed, sam)
    await swap(installed, ben)
    # Safari met Sam first; the app's connection has a note and is still to follow up.
    await pool.execute(
        "UPDATE contacts SET met_at = now() - interval '2 days' WHERE owner_id = 1"
        " AND contact_id = 2"
    )
    await pool.execute(
        "UPDATE contacts SET note = 'Talked about the spring fair' WHERE owner_id = 5"
        " AND contact_id = 2"
    )
    await pool.execute("UPDATE followups SET status = 'done' WHERE owner_id = 1")
    return safari, installed


async def contact_id_of(pool, owner: int, other: int) -> int:
    return int(
        await pool.fetchval(
            "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2", owner, other
        )
    )


async def test_merging_keeps_one_connection_per_person_with_both_sides_kept(new_phone, pool):
    safari, installed = await two_accounts_and_a_shared_contact(new_phone, pool)
    # Safari's page for Sam, opened before the merge, with the note as it was (none).
    sam_page = await safari.get(safari.url("contact", contact_id=await contact_id_of(pool, 1, 2)))
    as_of = soup(sam_page).select_one("input[name=note_as_of]")["value"]
    code = await show_code(safari)
    signed = await installed.post(installed.url("move_enter_submit"), {"code": code})
    assert signed.status_code == 303 and "/sign-in/merge" in signed.headers["location"]
    offer = text_of(await installed.get(signed.headers["location"]))
    assert "Dana L." in offer and "2 contacts" in offer
    merged = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    assert "Merged." in text_of(await installed.get(merged.headers["location"]))

    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 5") == 0
    mine = await pool.fetch(
        "SELECT contact_id, met_at, note FROM contacts WHERE owner_id = 1 ORDER BY contact_id"
    )
    assert [r["contact_id"] for r in mine] == [2, 3, 4], "Sam once, Ana, Ben"
    sam = mine[0]
    assert sam["note"] == "Talked about the spring fair"
    # A save from a page opened before the merge is refused, not written over the merged note.
    stale = await safari.post(
        safari.url("contact_note", contact_id=await contact_id_of(pool, 1, 2)),
        {"note": "Old tab", "note_as_of": as_of},
    )
    assert stale.status_code == 409
    assert (
        await pool.fetchval("SELECT note FROM contacts WHERE owner_id = 1 AND contact_id = 2")
        == "Talked about the spring fair"
    )
    earliest = await pool.fetchval("SELECT now() - interval '2 days'")
    assert abs((sam["met_at"] - earliest).total_seconds()) < 60, "the earlier meeting is kept"
    followup = await pool.fetchval(
        "SELECT f.status FROM followups f JOIN contacts c ON c.id = f.contact_id"
        " WHERE c.owner_id = 1 AND c.contact_id = 2"
    )
    assert followup == "open", "the open follow-up wins"
    # Sam's side: one Dana, not two.
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE owner_id = 2") == 1
    # Both browsers are the one account now.
    assert "Ben Ode" in text_of(await safari.get(safari.url("contacts")))
    assert "Ana Silva" in text_of(await installed.get(installed.url("contacts")))


async def test_keeping_them_apart_leaves_both_accounts_whole(new_phone, pool):
    safari, installed = await two_accounts_and_a_shared_contact(new_phone, pool)
    code = await show_code(safari)
    await installed.post(installed.url("move_enter_submit"), {"code": code})
    kept = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "apart"})
    assert "Kept apart" in text_of(await installed.get(kept.headers["location"]))
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE owner_id = 5") == 2
    assert (
        await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    ).status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 5") == 1
