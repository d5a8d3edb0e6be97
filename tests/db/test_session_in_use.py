"""One rule for when a browser's session ends unused (session_in_use() in sql/logic.sql), and
the cookie's life (server/web/sessions.py MAX_AGE_SECONDS) held equal to it: a cookie that
outlived its session would land on "You were signed out" unasked; one that died first would
sign her out while the server still counted the browser as hers (a device for reminders, a
way into the account)."""

from __future__ import annotations

from server.web.sessions import MAX_AGE_SECONDS


async def test_the_cookies_life_is_the_sessions(pool):
    assert await pool.fetchval("SELECT extract(epoch FROM session_max_age())") == MAX_AGE_SECONDS
    alive, ended = await pool.fetchrow(
        "SELECT session_in_use(now() - make_interval(secs => $1 - 60)),"
        " session_in_use(now() - make_interval(secs => $1 + 60))",
        float(MAX_AGE_SECONDS),
    )
    assert (alive, ended) == (True, False)
