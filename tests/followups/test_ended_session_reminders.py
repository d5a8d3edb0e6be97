"""A browser left unused for 400 days is signed out (its cookie has ended), and retention
deletes its session a day later: its push subscription goes with it (migration 0067).
Kept with no session, as before, it went on getting her reminders, notes and all, on a
browser nobody could sign out any more, listed nowhere among her signed-in browsers, with
Done / Snooze buttons that still acted (review r78). Her phone in use keeps hers."""

from __future__ import annotations

from server.privacy.retention import Retention
from tests.mailing import confirm_addresses
from tests.phone import soup
from tests.reminders import make_due, running_worker, subscribe, swapped
from tests.settings.test_left_details_device import signed_in_on_laptop

DANA = "dana@example.com"  # DEFAULT_CARD in tests/phone.py


async def test_a_browser_whose_session_retention_deleted_gets_no_reminder(
    new_phone, pool, push, mail, app
):
    dana, _ = await swapped(new_phone)  # the browser that made her card: her old laptop
    old_laptop = await subscribe(dana, push, "Old laptop")
    await confirm_addresses(pool, DANA)
    phone = await signed_in_on_laptop(new_phone, mail, app, DANA)  # her phone, by a code
    in_use = await subscribe(phone, push, "Phone")
    # The old laptop is never opened again: 400 days on, its cookie has ended.
    ended = await pool.fetchval(
        "UPDATE sessions SET last_seen_at = now() - interval '500 days'"
        " WHERE id = (SELECT session_id FROM push_subscriptions WHERE device = 'Old laptop')"
        " RETURNING id"
    )
    assert ended is not None
    await Retention(pool, app.state.sql, app.state.settings).run_once()
    assert not await pool.fetchval("SELECT count(*) FROM sessions WHERE id = $1", ended)
    devices = [row["device"] for row in await pool.fetch("SELECT device FROM push_subscriptions")]
    assert devices == ["Phone"]
    # Settings lists only what gets her reminders: the phone.
    settings = await phone.get(phone.url("settings"))
    listed = [row["data-endpoint"] for row in soup(settings).select(".device")]
    assert listed == [in_use.endpoint]

    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(old_laptop) == []
    assert [m.json()["title"] for m in push.received_for(in_use)] == ["Follow up with Mia Chen"]
