"""A confirmed address whose mail stopped (it bounced, or its owner unsubscribed) comes back
through Settings' "Send me a confirmation": its link offers the button again, whose press
starts mail there again, rather than saying "Your address is confirmed" and doing nothing."""

from __future__ import annotations

import pytest

from tests.mailing import confirm_addresses, link_in, pressed, running_mail_worker, sent_once
from tests.phone import soup, text_of


@pytest.mark.parametrize("stopped", ["bounced", "unsubscribed"])
async def test_a_confirmation_link_restores_a_confirmed_address_whose_mail_stopped(
    stopped, new_phone, pool, mail, app
):
    dana = await new_phone()
    await dana.make_card()
    await confirm_addresses(pool, "dana@example.com")
    if stopped == "bounced":
        # Her mailbox was full for a while: a confirmation she asked for bounced.
        await dana.post(dana.url("settings_email_confirm"), {})
        mail.refuse(550, "5.1.1 Mailbox unavailable", times=1)
        async with running_mail_worker(app, mail) as worker:
            await worker.run_once()
        assert await pool.fetchval("SELECT bounced_at IS NOT NULL FROM email_addresses")
    else:
        await pool.execute("UPDATE email_addresses SET unsubscribed_at = now()")
    assert await pool.fetchval("SELECT reminder_address(1)") is None, "no reminders by email"

    asked = await dana.post(dana.url("settings_email_confirm"), {})
    assert asked.status_code == 303
    confirmation = await sent_once(app, mail)
    link = link_in(confirmation, "/m/confirm/")
    opened = await dana.get(link)
    assert opened.status_code == 200
    assert soup(opened).find("button", string="Confirm my address") is not None
    assert "Your address is confirmed" not in text_of(opened)

    done = await pressed(dana, link)
    assert "Your address is confirmed" in text_of(done)
    address = await pool.fetchrow("SELECT bounced_at, unsubscribed_at FROM email_addresses")
    assert address["bounced_at"] is None and address["unsubscribed_at"] is None
    assert await pool.fetchval("SELECT reminder_address(1)") == "dana@example.com"
    # Opened again now: done, no button.
    again = await dana.get(link)
    assert "Your address is confirmed" in text_of(again)
    assert soup(again).find("button", string="Confirm my address") is None
