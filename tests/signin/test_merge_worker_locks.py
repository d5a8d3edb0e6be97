"""A merge while the reminders worker queues or sends the reminders of the card merged in: two
real connections, the worker's and the merge's. The merge takes what the worker holds in the
worker's order (lock_merge() in sql/logic.sql), so neither fails, and a reminder the worker
claimed while the merge ran reaches her once, not again on the account kept."""

from __future__ import annotations

import asyncio

from tests.followups.test_flood import flood
from tests.mailing import confirm_addresses
from tests.phone import text_of
from tests.reminders import make_due, running_worker, subscribe
from tests.signin.test_guests import signs_in
from tests.signin.test_merge_keeps_reminders import dana_in_the_app
from tests.signin.test_moving import show_code


async def her_real_account(new_phone, pool, push, *, device: bool):  # type: ignore[no-untyped-def]
    """Dana's real account (1), her address confirmed; reminders on her own phone or not."""
    real = await new_phone()
    await real.make_card(email="dana@example.com")
    await confirm_addresses(pool, "dana@example.com")
    return await subscribe(real, push, "Her own phone") if device else None


async def her_tablet(new_phone, app_phone, push):  # type: ignore[no-untyped-def]
    """Her tablet, signed in to the app's card too (a move code), reminders on: it stays
    signed in to that card when the app signs in to her real account. The tablet and its
    push subscription."""
    tablet = await new_phone()
    code = await show_code(app_phone)
    moved = await tablet.post(tablet.url("move_enter_submit"), {"code": code})
    assert moved.status_code == 303
    return tablet, await subscribe(tablet, push, "Her tablet")


async def due_on_the_apps_card(pool) -> None:  # type: ignore[no-untyped-def]
    """Her follow-ups on the app's card (2) are due now; nobody else's yet."""
    await make_due(pool)
    await pool.execute("UPDATE followups SET due_at = now() + interval '1 day' WHERE owner_id <> 2")


def merging(app_phone):  # type: ignore[no-untyped-def]
    """Merge the app's card into her real account, on the page, as a task."""
    return asyncio.create_task(
        app_phone.post(app_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    )


async def test_a_merge_while_the_worker_queues_her_reminders_waits_and_neither_fails(
    new_phone, app, pool, push, mail
):
    """Seven people due on the app's card (five reminders and a summary, for her tablet): the
    worker has taken them (step 1) when she taps Merge. The merge waits for that batch; the
    batch goes on (its summary is keyed to the app's account) and commits; then the merge is
    done."""
    await her_real_account(new_phone, pool, push, device=False)
    app_phone, _ = await dana_in_the_app(new_phone, pool, push)  # 2
    await her_tablet(new_phone, app_phone, push)
    await flood(app, await app_phone.share_link(), count=7)
    await due_on_the_apps_card(pool)
    await signs_in(app_phone, mail, app, "dana@example.com")
    sql = app.state.sql
    async with pool.acquire() as worker, worker.transaction():
        due = await sql.run(worker, "deliveries.take_due", limit=1000)
        owners = sorted({row["owner_id"] for row in due})
        assert owners == [2]
        merge = merging(app_phone)
        await asyncio.sleep(0.5)
        assert not merge.done()  # waiting for the worker's batch
        # Steps 2 to 4 go on: not held up by the merge in turn (a deadlock: one fails).
        await asyncio.wait_for(sql.run(worker, "deliveries.lock_owners", owners=owners), 10)
        await asyncio.wait_for(
            sql.run(worker, "deliveries.lock_waiting_summaries", owners=owners), 10
        )
        queued = await asyncio.wait_for(
            sql.run(
                worker,
                "deliveries.enqueue_taken",
                ids=[row["id"] for row in due],
                each_day=5,
                summary_gap_seconds=3 * 3600.0,
            ),
            10,
        )
        assert queued == 7
    merged = await asyncio.wait_for(merge, 10)
    assert merged.status_code == 303, text_of(merged)
    assert await pool.fetchval("SELECT count(*) FROM followups WHERE owner_id = 1") == 7


async def test_a_reminder_claimed_while_she_merges_reaches_her_once(
    new_phone, app, pool, push, mail
):
    """One person due on the app's card, its push queued for her tablet, signed in to the app's
    card too. The worker claims it just as she taps Merge, and sends it: the merge does not
    queue it again for her own phone (the same reminder twice)."""
    own_device = await her_real_account(new_phone, pool, push, device=True)
    app_phone, _ = await dana_in_the_app(new_phone, pool, push)  # 2
    _, tablet_device = await her_tablet(new_phone, app_phone, push)
    await flood(app, await app_phone.share_link(), count=1)
    await due_on_the_apps_card(pool)
    await signs_in(app_phone, mail, app, "dana@example.com")  # the app's phone: no device now
    async with running_worker(app, push) as worker:
        assert await worker.enqueue_due() == 1
        async with pool.acquire() as claiming:
            async with claiming.transaction():
                [claimed] = await app.state.sql.run(
                    claiming, "deliveries.claim", worker=worker.name, limit=10, lease_seconds=20
                )
                merge = merging(app_phone)
                await asyncio.sleep(0.5)
                assert not merge.done()  # waiting for the claim
            assert await worker.deliver(claimed)  # sent to her tablet
        merged = await asyncio.wait_for(merge, 10)
        assert merged.status_code == 303, text_of(merged)
        await worker.run_once()
    reminders = [m.json()["title"] for m in push.received_for(tablet_device)] + [
        m.json()["title"] for m in push.received_for(own_device)
    ]
    assert reminders == ["Follow up with Buy Pills 0"]
