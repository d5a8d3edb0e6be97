"""A new time zone saved, on a tablet still signed in to the card being merged, while the
merge runs: the save moves her follow-ups, which the merge holds (lock_merge() in
sql/logic.sql), and takes her reminders lock, which the merge waits for. Both take her
follow-ups first, then that lock, so neither fails: one waits for the other."""

from __future__ import annotations

import asyncio

from tests.followups.test_flood import flood, zone_where_it_is
from tests.phone import text_of
from tests.signin.test_guests import signs_in
from tests.signin.test_merge_keeps_reminders import dana_in_the_app
from tests.signin.test_merge_worker_locks import her_real_account, her_tablet, merging
from tests.waiting import until_waiting_for_lock

HER_SUMMARY_PUSHES = (
    "SELECT id FROM deliveries WHERE summary_account_id = 2 AND status = 'queued' FOR UPDATE"
)


async def test_a_new_zone_saved_while_she_merges_waits_and_neither_fails(
    new_phone, app, pool, push, mail
):
    await her_real_account(new_phone, pool, push, device=False)  # 1
    app_phone, _ = await dana_in_the_app(new_phone, pool, push)  # 2
    tablet, _ = await her_tablet(new_phone, app_phone, push)
    await flood(app, await app_phone.share_link(), count=2)  # her follow-ups, due later
    await signs_in(app_phone, mail, app, "dana@example.com")  # offered to merge 2 into 1
    # A summary push waiting for the tablet: something else (a worker) holds it, so that her
    # save, with her reminders lock taken, stops at it while she taps Merge.
    await pool.execute(
        "INSERT INTO deliveries (summary_account_id, summary_day, subscription_id,"
        " next_attempt_at) SELECT 2, current_date, id, now() + interval '3 hours'"
        " FROM push_subscriptions WHERE account_id = 2 AND device = 'Her tablet'"
    )
    was = await pool.fetchval("SELECT time_zone FROM accounts WHERE id = 2")
    new_zone = next(zone_where_it_is(h) for h in (3, 15) if zone_where_it_is(h) != was)
    async with pool.acquire() as worker:
        async with worker.transaction():
            await worker.execute(HER_SUMMARY_PUSHES)
            save = asyncio.create_task(
                tablet.post(
                    tablet.url("settings_save"),
                    {
                        "time_zone": new_zone,
                        "followup_timing": "next_morning",
                        "reminders_by": "both",
                    },
                )
            )
            [saving] = await until_waiting_for_lock(
                pool, "her save waiting for the summary", held_by=worker.get_server_pid()
            )
            assert not save.done()  # waiting for the summary
            merge = merging(app_phone)
            await until_waiting_for_lock(pool, "the merge waiting for her save", held_by=saving)
            assert not merge.done()  # waiting for the save
        # Neither waits for the other in a circle (a deadlock: one of them answers 500).
        saved, merged = await asyncio.wait_for(asyncio.gather(save, merge), 10)
    assert saved.status_code == 303, text_of(saved)
    assert merged.status_code == 303, text_of(merged)
    assert await pool.fetchval("SELECT count(*) FROM followups WHERE owner_id = 1") == 2
