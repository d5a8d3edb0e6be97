"""Deleting my account while an email's button for it is pressed (review r79): the deleting
holds what the press holds first, in the press's order (lock_merge()'s in sql/logic.sql): her
follow-ups, her browsers' sessions, then the account (delete_account()). Before, it
took the account first and reached her follow-ups by its cascade: a press holding the
follow-up "Remind me tomorrow" sets and waiting for the account, the deleting waiting for that
follow-up, one of the two failed as a deadlock's victim: the deleting with a 503 ("Reachout is
busy with this just now"), to press again, or the press, tried again and answering 410 for a
reminder it had set. Now the second waits for the first, whichever it is, and both are done.

The two tests of a deletion bring the two to the point where each would wait for the other,
had either taken them the other way round, by holding Mia's card a moment (an edit of it
saving): the one started first then waits for it, holding what it took before. Every
connection there looks for a deadlock as soon as it waits (deadlock_timeout 1 ms, not the
second PostgreSQL waits by default), so that a circle, if there were one, would stop whichever
closes it, every time. The next is the same review's: "Confirm my address" offering a
typed card while that card is merged.

The next two delete a guest card, the one Dana typed for Lou, from the merge page
("Delete that card"), while "Remind me tomorrow" is pressed on its "You met". Only deleting
one's own account held things in the press's order: delete_account() itself took the card's
account, then reached by its cascade the follow-up the press held first, in a circle as
above; one of the two failed (the deleting with a 503, or the press answering 410 for a
reminder it had set). Now delete_account() holds them so, for every caller, and both are
done. The press started first waits for the guest's follow-up, held a moment as a worker
queueing its reminder holds it; the deleting started first, for the guest's card.
The last has retention delete that card, a year on, while the button is pressed: it held
the card's account before its follow-up, the press the other way round (sql/queries/
retention.sql, unclaimed_guests).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from server.privacy.retention import Retention
from tests.mail.test_confirm_while_merging import CONFIRMATIONS, done_or_blocked, until
from tests.mailing import code_sent, confirm_addresses, leaves_details, link_in, sent_once
from tests.phone import Phone, text_of
from tests.privacy.test_deletion import DELETE_SUBJECT
from tests.signin.test_confirming_offers_a_typed_card import confirmation_link
from tests.signin.test_guests import LOU, dana_types_lou, lou_offered_the_card_dana_typed
from tests.waiting import until_waiting_for_lock

MIA = "mia@example.com"
HOLD_HER_CARD = "SELECT 1 FROM cards WHERE account_id = $1 FOR UPDATE"
# As a worker queueing reminders holds the follow-ups it takes (deliveries.take_due).
HOLD_ITS_FOLLOWUPS = "SELECT 1 FROM followups WHERE owner_id = $1 FOR UPDATE"


async def lock_waits(pool: asyncpg.Pool) -> int:
    """How many transactions of this database wait for a lock."""
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()"
        )
    )


async def two_waiting(pool: asyncpg.Pool) -> bool:
    return await lock_waits(pool) == 2


async def mia_may_delete(new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any) -> tuple:
    """Mia left her details on Dana's card: the link of her "You met" email's "Remind me
    tomorrow", the browser that opened it (the button shown), her phone, just back from
    "Confirm it's you" (a code to her address, confirmed since: deleting unconfirms it, and
    the press confirms it again), and her account."""
    _, mia = await leaves_details(new_phone)
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    reader = await new_phone()
    assert "Remind me tomorrow" in (await reader.get(link)).text
    await confirm_addresses(pool, MIA)
    asked = await mia.post(mia.url("delete_account_send_code"))
    assert asked.status_code == 303, text_of(asked)
    code = await code_sent(app, mail, DELETE_SUBJECT, MIA)
    checked = await mia.post(mia.url("delete_account_check_code"), {"code": code})
    assert checked.status_code == 303, text_of(checked)
    account = await pool.fetchval("SELECT account_id FROM cards WHERE email = $1", MIA)
    return link, reader, mia, account


async def deleted(mia: Phone, gone: Any, pool: asyncpg.Pool, account: int) -> None:
    """The deleting answered as it does alone: to the start page, saying so; nothing left."""
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == mia.url("home") + "?notice=account_deleted"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", account) == 0


async def test_remind_me_tomorrow_pressed_first_is_done_and_her_account_then_deleted(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any, deadlocks_seen_at_once: None
) -> None:
    link, reader, mia, account = await mia_may_delete(new_phone, pool, mail, app)
    async with pool.acquire() as editing, editing.transaction():
        await editing.execute(HOLD_HER_CARD, account)
        # The press holds the follow-up and her account, and waits for her card.
        pressing = asyncio.create_task(reader.post(link, {}))
        await until_waiting_for_lock(pool, "the press waits", held_by=editing.get_server_pid())
        deleting = asyncio.create_task(mia.post(mia.url("delete_account_confirm")))
        await until_waiting_for_lock(pool, "the deleting waits too", count=2)
    answer = await pressing
    # Done, as pressed a moment before the deleting: to the link's page, saying when.
    assert answer.status_code == 303, (answer.status_code, text_of(answer)[:300])
    assert answer.headers["location"] == link + "&pressed=1"
    await deleted(mia, await deleting, pool, account)


async def test_remind_me_tomorrow_pressed_while_her_account_is_deleted_says_it_is_gone(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any, deadlocks_seen_at_once: None
) -> None:
    link, reader, mia, account = await mia_may_delete(new_phone, pool, mail, app)
    async with pool.acquire() as editing, editing.transaction():
        await editing.execute(HOLD_HER_CARD, account)
        # The deleting holds her account, and waits for her card (its cascade reaches it).
        deleting = asyncio.create_task(mia.post(mia.url("delete_account_confirm")))
        await until_waiting_for_lock(pool, "the deleting waits", held_by=editing.get_server_pid())
        pressing = asyncio.create_task(reader.post(link, {}))
        await until_waiting_for_lock(pool, "the press waits too", count=2)
    await deleted(mia, await deleting, pool, account)
    answer = await pressing
    assert answer.status_code == 410, (answer.status_code, text_of(answer)[:300])
    assert "was deleted from Reachout" in text_of(answer)


async def test_confirm_my_address_while_the_card_typed_for_me_is_merged_confirms_it(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    """Pressed in Lou's own browser, "Confirm my address" offers there the card Dana typed for
    him (sessions.renew_offering_guest), holding that browser's session first. That session
    offered the same card when he signed in there over an hour ago (the offer lapsed,
    sessions.merge_offer), and a merge of the card, from another browser of his, ends that
    offer as it deletes the card. So the press, waiting for the card the merge holds, held
    what the merge then waited for: one of the two failed. Now a card being merged is not
    offered, nor waited for: the press confirms his address, and the merge goes on."""
    await dana_types_lou(new_phone)
    lou = await new_phone()
    await lou.make_card(**LOU)
    link = await confirmation_link(lou, mail, app)
    account, guest = await pool.fetchrow(
        "SELECT max(c.account_id) FILTER (WHERE NOT a.guest),"
        " max(c.account_id) FILTER (WHERE a.guest)"
        " FROM cards c JOIN accounts a ON a.id = c.account_id WHERE c.email = $1",
        LOU["email"],
    )
    await pool.execute(
        "UPDATE sessions SET merge_from = $1, created_at = now() - interval '61 minutes'"
        " WHERE account_id = $2",
        guest,
        account,
    )
    assert "Confirm my address" in (await lou.get(link)).text
    async with pool.acquire() as merging, merging.transaction():
        # A circle, if there were one, stops the merge, every time (the press waits first).
        await merging.execute("SET LOCAL deadlock_timeout = '1ms'")
        await merging.execute("SELECT lock_merge($1, $2)", guest, account)
        pressing = asyncio.create_task(lou.post(link, {}))
        await until(
            "the press is done, or waits for the merge",
            lambda: done_or_blocked(pressing, pool, merging.get_server_pid()),
        )
        await merging.execute("SELECT merge_accounts($1, $2)", guest, account)
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", guest) == 0
    answer = await pressing
    assert answer.status_code == 303, (answer.status_code, text_of(answer)[:300])
    assert answer.headers["location"] == link + "&pressed=1"
    page = await lou.get(answer.headers["location"])
    assert "Your address is confirmed" in text_of(page)
    assert [tuple(row) for row in await pool.fetch(CONFIRMATIONS)] == [(LOU["email"], account)]


async def lou_may_delete_the_card_dana_typed(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> tuple:
    """Dana typed Lou's details on her phone; Lou, with a card of his own, signed in on his
    laptop with a code to his address, which offers him that guest card there (merge it in,
    or delete it). The link of the guest's "You met Dana Lee" email's "Remind me tomorrow"
    (sent as he signed in), the browser that opened it (the button shown), his laptop, and
    the guest's account."""
    laptop, guest, _ = await lou_offered_the_card_dana_typed(new_phone, pool, mail, app)
    assert "Lou (Dana's)" in text_of(await laptop.get(laptop.url("sign_in_merge")))
    [met] = [m for m in mail.received_for(LOU["email"]) if m.subject == "You met Dana Lee"]
    link = link_in(met, "/m/confirm/")
    reader = await new_phone()
    assert "Remind me tomorrow" in (await reader.get(link)).text
    return link, reader, laptop, guest


async def card_deleted(laptop: Phone, gone: Any, pool: asyncpg.Pool, guest: int) -> None:
    """ "Delete that card" answered as it does alone: to his contacts, saying so; it is gone."""
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == laptop.url("contacts") + "?notice=guest_deleted"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", guest) == 0


async def test_remind_me_tomorrow_pressed_first_is_done_and_the_typed_card_then_deleted(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any, deadlocks_seen_at_once: None
) -> None:
    link, reader, laptop, guest = await lou_may_delete_the_card_dana_typed(
        new_phone, pool, mail, app
    )
    async with pool.acquire() as worker, worker.transaction():
        await worker.execute(HOLD_ITS_FOLLOWUPS, guest)
        # The press waits for the follow-up first, then the deleting: the press has it next.
        pressing = asyncio.create_task(reader.post(link, {}))
        await until_waiting_for_lock(pool, "the press waits", held_by=worker.get_server_pid())
        deleting = asyncio.create_task(
            laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "delete"})
        )
        await until_waiting_for_lock(pool, "the deleting waits too", count=2)
    answer = await pressing
    # Done, as pressed a moment before the deleting: to the link's page, saying when.
    assert answer.status_code == 303, (answer.status_code, text_of(answer)[:300])
    assert answer.headers["location"] == link + "&pressed=1"
    await card_deleted(laptop, await deleting, pool, guest)


async def test_remind_me_tomorrow_pressed_while_the_typed_card_is_deleted_says_it_is_gone(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any, deadlocks_seen_at_once: None
) -> None:
    link, reader, laptop, guest = await lou_may_delete_the_card_dana_typed(
        new_phone, pool, mail, app
    )
    async with pool.acquire() as editing, editing.transaction():
        await editing.execute(HOLD_HER_CARD, guest)
        # The deleting holds what it takes, and waits for the card (its cascade reaches it).
        deleting = asyncio.create_task(
            laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "delete"})
        )
        await until_waiting_for_lock(pool, "the deleting waits", held_by=editing.get_server_pid())
        pressing = asyncio.create_task(reader.post(link, {}))
        await until_waiting_for_lock(pool, "the press waits too", count=2)
    await card_deleted(laptop, await deleting, pool, guest)
    answer = await pressing
    assert answer.status_code == 410, (answer.status_code, text_of(answer)[:300])
    assert "was deleted from Reachout" in text_of(answer)


# As a worker queueing a reminder of it holds the follow-up: its insert of a delivery keyed to
# it (KEY SHARE), which a press's NO KEY UPDATE goes past, and a deleting's FOR UPDATE waits for.
QUEUE_ITS_REMINDER = "SELECT 1 FROM followups WHERE owner_id = $1 FOR KEY SHARE"


async def test_remind_me_tomorrow_pressed_while_retention_deletes_the_typed_card_both_done(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any, deadlocks_seen_at_once: None
) -> None:
    """Lou never claimed the card Dana typed for him: retention deletes it, a year on, while
    he presses "Remind me tomorrow" on its "You met". Retention held the guest's account FOR
    UPDATE (unclaimed_guests), then waited for its follow-up, which the press held and was
    waiting for that account with: a circle, retention its victim. Now retention holds the
    account only from other deletings of it (NO KEY UPDATE), and delete_account() takes it
    FOR UPDATE after the follow-up: the press is done, then the card goes."""
    await dana_types_lou(new_phone)
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    reader = await new_phone()
    assert "Remind me tomorrow" in (await reader.get(link)).text
    guest = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Lou Park'")
    await pool.execute(
        "UPDATE accounts SET created_at = now() - $1::interval - interval '1 day' WHERE id = $2",
        app.state.settings.retain_guests,
        guest,
    )
    retention = Retention(pool, app.state.sql, app.state.settings)
    async with pool.acquire() as worker, worker.transaction():
        await worker.execute(QUEUE_ITS_REMINDER, guest)
        # Retention waits for the guest's follow-up, before its account (forget_unclaimed_guest,
        # hold_to_delete); the press holds that follow-up (past the worker's lock), then asks
        # for the account.
        deleting = asyncio.create_task(retention.run_once())
        await until_waiting_for_lock(pool, "retention waits", held_by=worker.get_server_pid())
        pressing = asyncio.create_task(reader.post(link, {}))
        await until(
            "the press is done, or waits too",
            lambda: done_or_waiting(pressing, pool),
        )
    answer = await pressing
    assert answer.status_code in (303, 410), (answer.status_code, text_of(answer)[:300])
    if answer.status_code == 303:
        assert answer.headers["location"] == link + "&pressed=1"
    assert await deleting >= 1
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", guest) == 0


async def done_or_waiting(pressing: asyncio.Task[Any], pool: asyncpg.Pool) -> bool:
    return pressing.done() or await two_waiting(pool)
