"""Merging keeps a digest still waiting for the morning: the card merged in had it queued for
its own phone, which goes with it, and the event, moved over marked as queued, was never
digested at all. It comes the way the account kept reminds her; one that reached her already
is not sent again. A "You met" held for the card merged in goes too (review r36)."""

from __future__ import annotations

from typing import Any

from tests.events.test_routes import attendee, organizer_with_event
from tests.mailing import confirm_addresses, running_mail_worker, sent_once
from tests.phone import Phone
from tests.reminders import running_worker, subscribe, zone_where_it_is
from tests.signin.test_merge_keeps_reminders import merges_into_her_own
from tests.swaps.test_ask_first import asking_dana

DANA = "dana@example.com"
EVENT = "Lunch & Learn"  # event_form() in tests/events/test_routes.py


async def _met_ben_in_the_app(new_phone: Any, pool: Any, push: Any, zone: str) -> tuple[Phone, Any]:
    """Dana's real account has her confirmed address and no phone (Automatic: by email). Her
    card in the installed app, reminders on there, swapped with Ben at an event that just
    ended, where it is `zone` for everyone."""
    _, event_id = await organizer_with_event(new_phone)
    real = await new_phone()
    await real.make_card(name="Dana Lee", email=DANA)
    await confirm_addresses(pool, DANA)
    app_phone = await attendee(new_phone, pool, event_id, "Dana L.", email="")
    device = await subscribe(app_phone, push)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    await ben.post((await app_phone.share_link()) + "/swap")
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '3 hours',"
        " ends_at = now() - interval '1 minute'"
    )
    # Everyone there joined while it was on (someone joining after the end gets no digest).
    await pool.execute("UPDATE event_attendees SET joined_at = now() - interval '2 hours'")
    await pool.execute("UPDATE accounts SET time_zone = $1", zone)
    return app_phone, device


async def _morning(app: Any, pool: Any, push: Any, mail: Any) -> list[str]:
    """09:00 her time: both workers run (twice: nothing goes twice); the digests she got."""
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
        await pool.execute("UPDATE deliveries SET next_attempt_at = now() WHERE status = 'queued'")
        await pool.execute("UPDATE emails SET next_attempt_at = now() WHERE status = 'queued'")
        async with running_mail_worker(app, mail) as mailer:
            await worker.run_once()
            await mailer.run_once()
            await worker.run_once()
            await mailer.run_once()
    return [m.subject for m in mail.received_for(DANA) if EVENT in m.subject]


async def test_a_digest_waiting_for_the_morning_comes_after_the_merge(
    new_phone, app, pool, push, mail
):
    """Her digest waits for the morning for the app's phone; that night she merges the app's
    card into her real account. In the morning it comes by email, once."""
    app_phone, device = await _met_ben_in_the_app(
        new_phone, pool, push, zone_where_it_is(day=False)
    )
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'queued'") == 1
    await merges_into_her_own(app_phone, mail, app)
    assert await _morning(app, pool, push, mail) == ["You met 1 person at " + EVENT]
    assert push.received_for(device) == [], "the app's device was signed out"


async def test_a_digest_that_reached_her_is_not_sent_again_after_the_merge(
    new_phone, app, pool, push, mail
):
    """Daytime: the digest reached the app's phone before she merged. Nothing comes again."""
    app_phone, device = await _met_ben_in_the_app(new_phone, pool, push, zone_where_it_is(day=True))
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
        await worker.run_once()
    assert [m.json()["title"] for m in push.received_for(device)] == [
        "You met 1 person at " + EVENT
    ]
    await merges_into_her_own(app_phone, mail, app)
    assert await _morning(app, pool, push, mail) == []


async def test_a_you_met_held_for_an_accept_goes_after_the_merge(new_phone, app, pool, mail):
    """Mia left her details on Dana's card, which asks first: her "You met" waits for Dana's
    accept. Her card of then is merged into her real account; Dana accepts: it comes."""
    dana, link = await asking_dana(new_phone)
    real = await new_phone()
    # Both her accounts where it is day: held for an accept, "You met" goes at a waking hour
    # of the account it ends in (at night it would wait for the morning).
    day = zone_where_it_is(True)
    await real.make_card(name="Mia Chen", email="mia@example.com", time_zone=day)
    visitor = await new_phone()
    left = await visitor.post(
        link + "/details", {"name": "Mia C", "email": "mia.c@example.com", "time_zone": day}
    )
    assert left.status_code == 303
    source, target = await pool.fetchval(
        "SELECT array[(SELECT account_id FROM cards WHERE name = 'Mia C'),"
        " (SELECT account_id FROM cards WHERE name = 'Mia Chen')]"
    )
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT merge_accounts($1, $2)", source, target)
    dana_row = await pool.fetchval("SELECT id FROM contacts WHERE contact_id = $1", target)
    accepted = await dana.post(dana.url("contact_accept", contact_id=dana_row), {})
    assert accepted.status_code == 303
    sent = await sent_once(app, mail)
    assert sent.subject == "You met Dana Lee"
    assert [m.subject for m in mail.received_for("mia.c@example.com")] == ["You met Dana Lee"]
