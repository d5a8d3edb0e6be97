"""Blocking from a contact: the connection ends both ways, every way of swapping is refused in
both directions with the same words, bump crowds hide each from the other, and unblocking in
Settings lets them swap again (as strangers)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from server.swaps.connect import REFUSED
from tests.limit_counts import hits
from tests.phone import Phone, soup, text_of
from tests.reminders import make_due, running_worker, subscribe, swapped
from tests.signin.test_guests import signs_in
from tests.swaps.test_sync import action, replay, token_of
from tests.tap.test_routes import bump, code_of
from tests.waiting import eventually, until_waiting_for_lock


async def contact_of(pool: Any, owner: int) -> int:
    return int(await pool.fetchval("SELECT id FROM contacts WHERE owner_id = $1", owner))


async def blocked_names(phone: Phone) -> list[str]:
    """The names under "Blocked people" in Settings."""
    section = soup(await phone.get(phone.url("settings"))).select_one("#blocked-section")
    assert section is not None
    assert section.h2.get_text() == "Blocked people"
    return [name.get_text() for name in section.select(".name")]


async def dana_blocks_mia(new_phone: Any, pool: Any) -> tuple[Phone, Phone]:
    """Mia swapped with Dana; Dana blocks Mia from Mia's contact page."""
    dana, mia = await swapped(new_phone)
    page = await dana.get(dana.url("contact", contact_id=await contact_of(pool, 1)))
    summary = soup(page).select_one("details summary")
    assert summary is not None and summary.get_text() == "Block Mia Chen…"
    form = summary.find_parent("details").form
    assert form.button.get_text(strip=True) == "Block Mia Chen"
    blocked = await dana.post(form["action"])
    assert blocked.status_code == 303
    assert blocked.headers["location"] == dana.url("contacts") + "?notice=blocked"
    assert "Blocked." in text_of(await dana.get(blocked.headers["location"]))
    return dana, mia


async def test_block_from_a_contact_ends_the_connection_both_ways_without_telling(new_phone, pool):
    dana, mia = await dana_blocks_mia(new_phone, pool)
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await pool.fetchval("SELECT count(*) FROM followups") == 0
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 0, "no undo"
    assert "Mia Chen" not in text_of(await dana.get(dana.url("contacts")))
    assert "Dana Lee" not in text_of(await mia.get(mia.url("contacts")))
    for phone, contact_id in ((dana, 1), (mia, 2)):
        gone = await phone.get(phone.url("contact", contact_id=contact_id))
        assert gone.status_code == 404 and "not in your list" in text_of(gone)
    assert await blocked_names(dana) == ["Mia Chen"]
    assert await blocked_names(mia) == [], "Mia is not told, and has nobody to unblock"


async def test_a_block_cancels_the_queued_reminders_of_the_pair(new_phone, pool, push, app):
    dana, mia = await swapped(new_phone)
    device = await subscribe(mia, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
        assert await pool.fetchval("SELECT count(*) FROM deliveries") == 1
        await dana.post(dana.url("contact_block", contact_id=await contact_of(pool, 1)))
        assert await pool.fetchval("SELECT count(*) FROM deliveries") == 0
        assert await worker.run_once() == 0
    assert push.received_for(device) == []


async def refused(response: Any) -> None:
    assert response.status_code == 403, response.text
    assert REFUSED in text_of(response)
    assert "Can't swap" in text_of(response)


async def test_every_way_of_swapping_is_refused_both_ways_with_the_same_words(new_phone, pool):
    dana, mia = await dana_blocks_mia(new_phone, pool)
    for me, them in ((mia, dana), (dana, mia)):
        link = await them.share_link()
        # QR / share link: one tap, or the details form of someone with a card.
        await refused(await me.post(link + "/swap"))
        await refused(await me.post(link + "/details", {"name": "X", "email": "x@example.com"}))
        # Six-digit code: refused, and the code stays theirs to give someone else.
        code = await code_of(them)
        typed = await me.post(me.url("tap_code_enter"), {"code": code}, htmx=True)
        assert typed.status_code == 403 and REFUSED in text_of(typed)
        assert await pool.fetchval("SELECT used_at FROM swap_codes WHERE code = $1", code) is None
        # Swaps queued offline and synced later: the same refusal, as JSON, recorded once.
        for kind, payload in (("scan", {"token": token_of(link)}), ("code", {"code": code})):
            answer = await replay(me, action(kind, payload))
            assert answer.status_code == 403
            assert answer.json() == {"status": "failed", "message": REFUSED}
        assert await pool.fetchval("SELECT used_at FROM swap_codes WHERE code = $1", code) is None
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await hits(pool, bucket="account-code-misses") == 0, "no wrong guess either"

    # Someone else can still use Dana's code.
    sam = await new_phone()
    await sam.make_card(name="Sam Roe")
    code = await code_of(dana)
    assert (await sam.post(sam.url("tap_code_enter"), {"code": code})).status_code == 303


async def test_a_block_stands_against_a_new_card_with_their_address(new_phone, pool):
    """Mia, blocked, types Dana's details on her own phone; or leaves her own on Dana's link as
    someone new: the same refusal, nothing made, no email to Dana."""
    dana, mia = await dana_blocks_mia(new_phone, pool)
    typed = await mia.post(
        mia.url("tap_guest"), {"name": "Dana L", "email": " DANA@example.com"}, htmx=True
    )
    assert typed.status_code == 403 and REFUSED in text_of(typed)
    again = await new_phone()  # a new browser, no card
    link = await dana.share_link()
    await refused(await again.post(link + "/details", {"name": "M", "email": "Mia@example.com"}))
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 2
    assert await pool.fetchval("SELECT count(*) FROM emails") == 0
    assert not again.client.cookies, "no session either"
    # Anyone else's address still swaps, on the same browser.
    sam = {"name": "Sam Roe", "email": "sam@example.com"}
    assert (await again.post(link + "/details", sam)).status_code == 303


async def test_merging_a_card_typed_by_someone_blocked_does_not_connect_them(
    new_phone, pool, mail, app
):
    """Mia typed Dana's details on her phone before Dana blocked her: when Dana signs in and
    merges that card in, Mia is not among her contacts, nor she among Mia's."""
    dana, mia = await swapped(new_phone)
    typed = await mia.post(mia.url("tap_guest"), {"name": "Dana L", "email": "dana@example.com"})
    assert typed.status_code == 303
    await pool.execute("DELETE FROM emails")  # "You met Mia Chen": the code is the one awaited
    page = await dana.get(dana.url("contact", contact_id=await contact_of(pool, 1)))
    block = soup(page).select_one("details form")
    assert (await dana.post(block["action"])).status_code == 303
    laptop = await new_phone()
    signed = await signs_in(laptop, mail, app, "dana@example.com")
    assert signed.headers["location"] == laptop.url("sign_in_merge") + "?notice=signed_in"
    offer = soup(await laptop.get(signed.headers["location"]))
    assert "Someone you can't swap details with typed your details" in offer.main.get_text()
    assert "Mia Chen" not in offer.main.get_text()
    choices = [button.get_text() for button in offer.main.select("form button")]
    assert choices == ["Delete that card", "Not now"]
    # A merge all the same (the page opened before the block, say) connects nobody.
    merged = await laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.headers["location"] == laptop.url("contacts") + "?notice=merged"
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert "Mia Chen" not in text_of(await laptop.get(laptop.url("contacts")))
    assert "Dana" not in text_of(await mia.get(mia.url("contacts")))
    assert await blocked_names(dana) == ["Mia Chen"]


async def test_two_who_blocked_never_pair_by_bump_and_hear_nobody_bumped_back(new_phone, pool):
    dana, mia = await dana_blocks_mia(new_phone, pool)
    now = time.time() * 1000
    answers = await asyncio.gather(bump(dana, now), bump(mia, now + 10))
    assert [answer.json()["state"] for answer in answers] == ["unmatched", "unmatched"]
    assert all(answer.json()["partner_name"] is None for answer in answers)
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0


async def test_a_bump_crowd_hides_each_from_the_other(new_phone, pool):
    dana, mia = await dana_blocks_mia(new_phone, pool)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    now = time.time() * 1000
    # Dana's and Mia's bumps reach the server first (neither sees the other), then Sam's makes
    # the crowd. Sent all at once, Sam's could pair with one of them and be announced before
    # the third arrived, on a busy machine.
    first = [asyncio.create_task(bump(dana, now)), asyncio.create_task(bump(mia, now + 10))]

    async def both_in() -> bool:
        return await pool.fetchval("SELECT count(*) FROM bumps") == 2

    await eventually(both_in, "Dana's and Mia's bumps stored", seconds=1, every=0.005)
    answers = await asyncio.gather(*first, bump(sam, now + 20))
    assert [answer.json()["state"] for answer in answers] == ["ambiguous"] * 3
    choices = [{c["name"] for c in answer.json()["choices"]} for answer in answers]
    assert choices == [{"Sam Roe"}, {"Sam Roe"}, {"Dana Lee", "Mia Chen"}]
    dana_bump, mia_bump = answers[0].json()["bump_id"], answers[1].json()["bump_id"]
    page = await dana.get(dana.url("bump_status", bump_id=dana_bump))
    assert "Mia Chen" not in text_of(page)
    picked = await dana.post(
        dana.url("bump_choose", bump_id=dana_bump), {"choice": str(mia_bump)}, htmx=True
    )
    assert picked.status_code == 409
    assert await pool.fetchval("SELECT count(*) FROM bumps WHERE chosen_id IS NOT NULL") == 0


async def test_unblock_in_settings_lets_them_swap_again_as_strangers(new_phone, pool):
    dana, mia = await dana_blocks_mia(new_phone, pool)
    await dana.post(dana.url("contact_note", contact_id=1), {"note": "never again"})
    settings = soup(await dana.get(dana.url("settings")))
    button = settings.select_one("#blocked-section button")
    assert button.get_text(strip=True) == "Unblock" and button["aria-label"] == "Unblock Mia Chen"
    unblocked = await dana.post(button.find_parent("form")["action"], htmx=True)
    assert unblocked.status_code == 200 and "<html" not in unblocked.text
    assert "Unblocked Mia Chen." in text_of(unblocked)
    assert "Nobody." in text_of(unblocked)
    assert await blocked_names(dana) == []
    # The old connection stays gone ...
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    # ... and a new one can be made, from nothing.
    assert (await mia.post(await dana.share_link() + "/swap")).status_code == 303
    page = await dana.get(dana.url("contact", contact_id=await contact_of(pool, 1)))
    assert "Mia Chen" in text_of(page) and "never again" not in text_of(page)


async def test_unblock_and_block_refuse_what_is_not_theirs(new_phone, pool):
    dana, mia = await dana_blocks_mia(new_phone, pool)
    # Mia cannot lift Dana's block on her, nor does the answer say there is one.
    lifted = await mia.post(mia.url("unblock", account_id=1))
    assert lifted.status_code == 404
    assert "not in your list of blocked people" in text_of(lifted)
    anonymous = await new_phone()
    assert (await anonymous.post(anonymous.url("unblock", account_id=2))).status_code == 404
    assert (await dana.post(dana.url("unblock", account_id=99))).status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 1
    # Blocking through someone else's contact row, or signed out: nothing happens.
    sam = await new_phone()
    await sam.make_card(name="Sam Roe")
    assert (await mia.post(await sam.share_link() + "/swap")).status_code == 303
    sam_row = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 3")
    for phone in (dana, anonymous):
        assert (await phone.post(phone.url("contact_block", contact_id=sam_row))).status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 1
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2
    # Without htmx, unblocking lands on Settings with a notice.
    done = await dana.post(dana.url("unblock", account_id=2))
    assert done.status_code == 303
    assert "Unblocked." in text_of(await dana.get(done.headers["location"]))


async def test_a_swap_landing_as_a_block_is_made_is_refused(new_phone, pool, app):
    """Dana blocks Mia (from an event's list, say) at the moment Mia's swap lands (a code,
    a bump, her phone's queue syncing): they are never left connected with a block between
    them. The swap waits for the block, then is refused."""
    from server.contacts import blocks
    from server.swaps.connect import SwapRefused, connect

    dana, mia = await new_phone(), await new_phone()
    await dana.make_card(name="Dana Lee")
    await mia.make_card(name="Mia Chen")
    dana_id, mia_id = 1, 2
    sql = app.state.sql
    async with pool.acquire() as conn:
        async with conn.transaction():
            await blocks.block(conn, sql, dana_id, mia_id)
            swap = asyncio.create_task(connect(pool, sql, mia_id, dana_id))
            await until_waiting_for_lock(
                pool, "the swap waiting for the block", held_by=conn.get_server_pid()
            )
        with pytest.raises(SwapRefused):
            await swap
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert "Dana Lee" not in text_of(await mia.get(mia.url("contacts")))


async def test_an_undo_landing_as_a_block_is_made_leaves_them_apart(new_phone, pool, app):
    """Dana removed Mia and taps Undo at the moment Mia blocks her: the block wins, whichever
    came first; the two are not connected again with a block between them."""
    from server.contacts import blocks
    from server.contacts.contacts import undo_removal

    dana, mia = await swapped(new_phone)
    removed = await dana.post(dana.url("contact_remove", contact_id=await contact_of(pool, 1)))
    assert removed.status_code == 303
    removal_id = await pool.fetchval("SELECT id FROM contact_removals")
    sql = app.state.sql
    async with pool.acquire() as conn:
        async with conn.transaction():
            assert await undo_removal(conn, sql, 1, removal_id) is not None
            block = asyncio.create_task(blocks.block(pool, sql, 2, 1))
            await until_waiting_for_lock(
                pool, "the block waiting for the undo", held_by=conn.get_server_pid()
            )
        await block
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert "Mia Chen" not in text_of(await dana.get(dana.url("contacts")))
    assert await blocked_names(mia) == ["Dana Lee"]
