"""Dana presses "Sign out everywhere else" in a browser of the card she is merging, just as
the merge runs: two real connections. The merge takes the card's sessions in id order
(lock_merge() in sql/logic.sql); signing out the others takes them in the same order, not in
the order a scan meets them, which changes as a browser's row moves (signing in and moving
cards write it anew), so neither waits for the other in a circle."""

from __future__ import annotations

import asyncio

from tests.signin.test_guests import signs_in
from tests.signin.test_merge_keeps_reminders import dana_in_the_app
from tests.signin.test_merge_worker_locks import her_real_account, her_tablet


async def test_signing_out_the_others_while_she_merges_neither_fails(
    new_phone, app, pool, push, mail
):
    await her_real_account(new_phone, pool, push, device=False)  # 1
    app_phone, _ = await dana_in_the_app(new_phone, pool, push)  # 2
    for _device in ("tablet", "laptop"):
        await her_tablet(new_phone, app_phone, push)
    watch, _ = await her_tablet(new_phone, app_phone, push)
    await signs_in(app_phone, mail, app, "dana@example.com")  # offered to merge 2 into 1
    tablet_id, _laptop_id, _watch_id = [
        row["id"]
        for row in await pool.fetch(
            "SELECT id FROM sessions WHERE account_id = 2 AND revoked_at IS NULL ORDER BY id"
        )
    ]
    # The tablet had been signed in to her real card and back: its row now lies after the
    # laptop's, where a scan meets it second.
    for account in (1, 2):
        await pool.execute("UPDATE sessions SET account_id = $1 WHERE id = $2", account, tablet_id)
    sql = app.state.sql
    async with pool.acquire() as there, pool.acquire() as merge:
        # The tablet is being signed out from Settings on another browser, not yet done.
        signing_out_tablet = there.transaction()
        await signing_out_tablet.start()
        assert (
            await sql.run(there, "sessions.revoke", id=tablet_id, account_id=2, end_offers=True)
            == tablet_id
        )

        async def merges() -> None:
            async with merge.transaction():
                await sql.run(merge, "sessions.lock_merge_source", source=2, account_id=1)
                await sql.run(merge, "sessions.merge_into", source=2, account_id=1)

        merging = asyncio.create_task(merges())
        await asyncio.sleep(0.5)
        assert not merging.done()  # waiting for the tablet's sign-out
        # On her watch: Sign out everywhere else (the tablet and the laptop).
        others = asyncio.create_task(watch.post(watch.url("sign_out_others"), {}))
        await asyncio.sleep(0.5)
        assert not others.done()
        await signing_out_tablet.commit()
        await asyncio.wait_for(merging, 10)
        signed_out = await asyncio.wait_for(others, 10)
    assert signed_out.status_code == 303, signed_out.text
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 2") == 0
    # Every browser of the merged card is signed out, the watch too (the merge ends them).
    assert not await pool.fetchval(
        "SELECT count(*) FROM sessions WHERE account_id = 2 AND revoked_at IS NULL"
    )
