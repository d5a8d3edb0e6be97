"""A full mailbox ("552 5.2.2", RFC 3463's persistent transient failure) is no bounce: the
email is tried again later and goes once there is room, and the address keeps getting mail;
only running out of tries fails that one email."""

from __future__ import annotations

from tests.mail.relay import Relay
from tests.mail.test_worker_relay import states
from tests.mailing import leaves_details, running_mail_worker


async def test_a_full_mailbox_is_tried_again_and_its_address_is_not_bouncing(new_phone, pool, app):
    await leaves_details(new_phone, name="Mia Chen", email="mia@example.com")
    async with Relay() as relay:
        relay.refusals["RCPT"] = "552 5.2.2 <mia@example.com>: Mailbox full"
        async with running_mail_worker(app, relay) as worker:  # type: ignore[arg-type]
            assert await worker.run_once() == 1
            assert await states(pool) == [("mia@example.com", "queued", 1, False)], (
                "waiting for a retry, the address not bouncing"
            )
            assert "Mailbox full" in await pool.fetchval("SELECT last_error FROM emails")

            relay.refusals.clear()  # she made room
            await pool.execute("UPDATE emails SET next_attempt_at = now()")
            assert await worker.run_once() == 1
        assert relay.recipients == [("mia@example.com",)]
    assert await states(pool) == [("mia@example.com", "sent", 2, False)]


async def test_a_mailbox_full_at_the_end_of_the_message_fails_it_only_once_tries_run_out(
    new_phone, pool, app
):
    await leaves_details(new_phone, name="Mia Chen", email="mia@example.com")
    async with Relay() as relay:
        relay.refusals["DATA"] = "552 5.2.2 Mailbox full, over quota"
        async with running_mail_worker(app, relay, max_attempts=2) as worker:  # type: ignore[arg-type]
            await worker.run_once()
            await pool.execute("UPDATE emails SET next_attempt_at = now()")
            await worker.run_once()
    assert await states(pool) == [("mia@example.com", "failed", 2, False)], (
        "this email failed, the address still gets mail"
    )
