"""A push built from a stranger's name says our words first and her name after, quoted and cut
at a word: a card named "Reachout security alert: new sign-in on another phone. Not you? Open
now" (the card form takes 100 characters) read, first and whole on a lock screen, as an alert
of ours."""

from __future__ import annotations

from datetime import UTC, datetime

from server.followups import wording
from tests.events.test_routes import attendee, organizer_with_event
from tests.reminders import make_due, running_worker, subscribe, swapped

ALERT = "Reachout security alert: new sign-in on another phone. Not you? Open now"


async def test_a_request_from_a_card_named_like_an_alert_reads_as_a_request(
    new_phone, pool, push, app
):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    eve = await attendee(new_phone, pool, event_id, ALERT)
    device = await subscribe(ana, push)
    ana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Ana Silva'")
    await eve.post(eve.url("request_connect", event_id=event_id, account_id=ana_id))
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [message] = push.received_for(device)
    title = message.json()["title"]
    assert title == "Request to connect: \u201cReachout security alert: new sign-in\u2026\u201d"
    assert not title.startswith("Reachout")


def test_several_requests_name_the_newest_quoted_and_cut():
    title, _ = wording.request(ALERT, "Mixer", 3)
    assert title == (
        "Requests to connect: \u201cReachout security alert: new sign-in\u2026\u201d and 2 others"
    )
    assert wording.request("Dana Lee", "Mixer", 2)[0] == (
        "Requests to connect: \u201cDana Lee\u201d and 1 other"
    )


async def test_a_reminders_push_cuts_a_long_name_as_a_requests(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone, mia={"name": ALERT})
    device = await subscribe(dana, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [message] = push.received_for(device)
    assert message.json()["title"] == "Follow up with Reachout security alert: new sign-in\u2026"
    # The email and the calendar entry, read on their own page, carry the name whole.
    now = datetime.now(UTC)
    assert wording.reminder({"name": ALERT, "met_at": now}, now, "UTC")[0] == (
        f"Follow up with {ALERT}"
    )
