"""A request's push that was to alert (renotify) but did not go uses up no alert: its device's
stamp (push_subscriptions.requests_alerted_at) is given back (deliveries.give_back_alert), so
the retry, when it goes, buzzes; and when it is given up, the next request does. Once one has
buzzed, the next within two minutes is silent, as ever (test_push_request_burst.py)."""

from __future__ import annotations

from tests.reminders import running_worker
from tests.roster.test_push_request_burst import alerts, ana_in_her_day, asks

# A minute, not a second: however slow the machine, the next pass comes before it is up.
UNAVAILABLE = (503, {"Retry-After": "60"})


async def test_a_request_whose_first_send_failed_alerts_when_retried(new_phone, pool, push, app):
    event_id, _, phone, [ben, cleo] = await ana_in_her_day(new_phone, pool, push, "Cleo Park")
    push.script(phone, [UNAVAILABLE])
    await asks(ben, event_id)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        assert push.received_for(phone) == []
        assert await pool.fetchval("SELECT status FROM deliveries") == "queued"
        before_retry = await pool.fetchval("SELECT now()")
        # The minute passes.
        await pool.execute("UPDATE deliveries SET next_attempt_at = now()")
        await worker.run_once()
        # The retry is the first she sees: it buzzes.
        assert alerts(push, phone) == [True]
        [message] = push.received_for(phone)
        assert message.json()["title"] == "Request to connect: “Ben Ode”"
        # Her phone is stamped by the alert that went, not the one that did not.
        stamped, sent = await pool.fetchrow(
            "SELECT s.requests_alerted_at, d.sent_at"
            " FROM push_subscriptions s JOIN deliveries d ON d.subscription_id = s.id"
        )
        assert before_retry < stamped <= sent
        # So the next request, seconds later, replaces it silently.
        await asks(cleo, event_id)
        await worker.run_once()
    assert alerts(push, phone) == [True, False]


async def test_a_request_whose_push_was_given_up_leaves_the_next_one_to_alert(
    new_phone, pool, push, app
):
    """Refused for good (413): Ben's never reaches her phone; Cleo's, seconds later, is the
    first she sees, and buzzes. Dev's, next, does not."""
    event_id, _, phone, [ben, cleo, dev] = await ana_in_her_day(
        new_phone, pool, push, "Cleo Park", "Dev Rao"
    )
    push.script(phone, [413])
    async with running_worker(app, push) as worker:
        await asks(ben, event_id)
        await worker.run_once()
        assert await pool.fetchval("SELECT status FROM deliveries") == "failed"
        assert push.received_for(phone) == []
        await asks(cleo, event_id)
        await worker.run_once()
        assert alerts(push, phone) == [True]
        await asks(dev, event_id)
        await worker.run_once()
    assert alerts(push, phone) == [True, False]
