"""Retention counts a sent email's days from when it was sent, not made: its links are signed
for 30 days from sending. A "You met" held until its card's owner accepted (or retried for
long) keeps working for its 30 days, rather than saying the card was deleted."""

from __future__ import annotations

from server.privacy.retention import Retention
from tests.mailing import leaves_details, link_in, sent_once
from tests.phone import soup


async def test_a_you_met_sent_long_after_it_was_made_keeps_its_link(new_phone, pool, mail, app):
    _, mia = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    link = link_in(met, "/m/confirm/")
    kept = app.state.settings.retain_sent
    # Made a day past the period (held that long), sent yesterday.
    await pool.execute(
        "UPDATE emails SET created_at = now() - $1::interval - interval '1 day',"
        " sent_at = now() - interval '1 day'",
        kept,
    )
    await Retention(pool, app.state.sql, app.state.settings).run_once()
    assert await pool.fetchval("SELECT count(*) FROM emails") == 1
    opened = await mia.get(link)
    assert opened.status_code == 200
    assert soup(opened).h1.get_text() == "Follow up with Dana Lee"
    # Sent a day past the period too: it goes.
    await pool.execute("UPDATE emails SET sent_at = now() - $1::interval - interval '1 hour'", kept)
    await Retention(pool, app.state.sql, app.state.settings).run_once()
    assert await pool.fetchval("SELECT count(*) FROM emails") == 0
