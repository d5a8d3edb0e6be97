"""A browser still signed in to the card being merged signs out while the merge runs: two
real connections, the merge's and the sign-out's. Signing out deletes the browser's push
subscription, whose waiting pushes then lose it; the merge holds those pushes and deletes
the same subscription. The merge takes the browser's session and subscription before the
pushes (lock_merge() in sql/logic.sql), as the sign-out does, so neither fails."""

from __future__ import annotations

import asyncio

from tests.signin.test_guests import signs_in
from tests.signin.test_merge_keeps_reminders import dana_in_the_app
from tests.signin.test_merge_worker_locks import her_real_account, her_tablet


async def test_signing_out_the_merged_cards_tablet_while_she_merges_neither_fails(
    new_phone, app, pool, push, mail
):
    await her_real_account(new_phone, pool, push, device=False)  # 1
    app_phone, _ = await dana_in_the_app(new_phone, pool, push)  # 2
    tablet, _ = await her_tablet(new_phone, app_phone, push)
    await signs_in(app_phone, mail, app, "dana@example.com")  # offered to merge 2 into 1
    # A summary push waiting for the tablet, which the merge holds (step 4 of lock_merge).
    await pool.execute(
        "INSERT INTO deliveries (summary_account_id, summary_day, subscription_id,"
        " next_attempt_at) SELECT 2, current_date, id, now() + interval '3 hours'"
        " FROM push_subscriptions WHERE account_id = 2 AND device = 'Her tablet'"
    )
    sql = app.state.sql
    async with pool.acquire() as merge:
        async with merge.transaction():
            await sql.run(merge, "sessions.lock_merge_source", source=2, account_id=1)
            # She signs the tablet out (Sign out, on it) just as the merge goes on: the
            # card's last way in, so Settings asked, and she tapped "Sign out anyway".
            sign_out = asyncio.create_task(tablet.post(tablet.url("sign_out"), {"anyway": "1"}))
            await asyncio.sleep(0.5)
            assert not sign_out.done()  # waiting for the merge
            # Not held up by the sign-out in turn (a deadlock: one of them fails).
            await asyncio.wait_for(
                sql.run(merge, "sessions.merge_into", source=2, account_id=1), 10
            )
        signed_out = await asyncio.wait_for(sign_out, 10)
    # Signed out, as she asked (the merge had signed that browser out too).
    assert signed_out.status_code == 200, signed_out.text
    assert "clear-site-data" in signed_out.headers
    # Merged, not lost: the page does not say nobody can open it again.
    assert "Nobody can open your card again" not in signed_out.text
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 2") == 0
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
