"""A reminder pushed while her browser was in use keeps its "Done" / "Snooze" buttons on the
lock screen; once that browser's session ends unused (a session's life: session_in_use() in
sql/logic.sql), they change nothing, as after signing it out, though retention deletes its
session and subscription only later."""

from __future__ import annotations

from tests.followups.test_push_actions_device import assert_refused_for_the_device, dana_pushed


async def test_the_buttons_of_a_browser_unused_for_a_sessions_life_change_nothing(
    new_phone, push, app, pool
):
    _, _, actions, followup_id = await dana_pushed(new_phone, push, app, pool)
    await pool.execute("UPDATE sessions SET last_seen_at = now() - interval '401 days'")
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 1
    await assert_refused_for_the_device(new_phone, pool, actions, followup_id)
