"""Merging keeps the reminders still waiting to go: what the card merged in had queued (a
summary held for a few hours, a push to retry) went with it and its devices, and the
follow-ups it was for, moved over marked as queued, were never reminded at all. They are
reminded the way the account kept reminds her, and what reached her already is not sent again
(review r34)."""

from __future__ import annotations

from tests.followups.test_flood import flood, zone_where_it_is
from tests.mailing import confirm_addresses, running_mail_worker
from tests.phone import Phone, text_of
from tests.reminders import make_due, running_worker, subscribe
from tests.signin.test_guests import signs_in

MIDDAY = zone_where_it_is(12)  # a summary waits for a waking hour: it is one now


async def dana_in_the_app(new_phone, pool, push):  # type: ignore[no-untyped-def]
    """Dana's card in the installed app, reminders on this phone; both hers where it is
    midday."""
    app_phone = await new_phone()
    await app_phone.make_card(name="Dana L.", email="")
    await pool.execute("UPDATE accounts SET time_zone = $1", MIDDAY)
    device = await subscribe(app_phone, push)
    return app_phone, device


async def merges_into_her_own(app_phone: Phone, mail, app) -> None:  # type: ignore[no-untyped-def]
    """She signs in to her real account in the app, by email code, and merges the app's in."""
    signed = await signs_in(app_phone, mail, app, "dana@example.com")
    # "Signed in.", saying reminders are off on this phone when they were on for the app's card.
    assert signed.headers["location"].startswith(
        app_phone.url("sign_in_merge") + "?notice=signed_in"
    )
    merged = await app_phone.post(app_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303, text_of(merged)


def reminders_in(mail) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.subject for m in mail.received_for("dana@example.com") if "ollow up" in m.subject]


async def test_follow_ups_a_held_summary_was_for_are_reminded_by_email_after_the_merge(
    new_phone, app, pool, push, mail
):
    """Dana's real account reminds her by email. The app's card got the day's five pushes and
    a summary of seven; two more came due later that day, into a summary held for the gap
    after the first. She merges the app's card into her real account: the two are reminded by
    email (one summary, as the day's five went already), and nothing that reached her is
    sent again."""
    real = await new_phone()
    await real.make_card(email="dana@example.com")  # 1
    await confirm_addresses(pool, "dana@example.com")
    app_phone, device = await dana_in_the_app(new_phone, pool, push)  # 2
    await flood(app, await app_phone.share_link(), count=7)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        titles = [m.json()["title"] for m in push.received_for(device)]
        assert titles.count("You have 7 people to follow up") == 1 and len(titles) == 6
        # Two of them come due again later the same day (snoozed to this evening, say).
        await pool.execute(
            "UPDATE followups SET round = round + 1, due_at = now() WHERE id IN"
            " (SELECT id FROM followups WHERE owner_id = 2 ORDER BY id LIMIT 2)"
        )
        await worker.run_once()
    assert len(push.received_for(device)) == 6, "held for the gap after the first summary"

    await merges_into_her_own(app_phone, mail, app)
    # Queued again: the two the held summary was for, not the five whose own push reached
    # her nor the two the first summary counted.
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM followups WHERE owner_id = 1 AND queued_round < round"
        )
        == 2
    )
    async with running_worker(app, push) as worker, running_mail_worker(app, mail) as mailer:
        await worker.run_once()
        await mailer.run_once()
    assert reminders_in(mail) == ["You have 7 people to follow up"]
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'reminder'") == 0
    assert len(push.received_for(device)) == 6, "the app's device was signed out"


async def test_a_push_waiting_to_be_retried_reaches_the_account_kept_once(
    new_phone, app, pool, push, mail
):
    """The app's card had two follow-ups due: one reminder reached this phone, the other's
    push service answered 500 and it waits to be tried again. Merged into her real account,
    which reminds her on her other phone: that one is pushed there, the other is not again."""
    real = await new_phone()
    await real.make_card(email="dana@example.com")  # 1
    own_device = await subscribe(real, push, "Her own phone")
    app_phone, device = await dana_in_the_app(new_phone, pool, push)  # 2
    await flood(app, await app_phone.share_link(), count=2)
    await make_due(pool)
    push.script(device, [500])
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [reached] = [m.json()["title"] for m in push.received_for(device)]
    retried = await pool.fetchval(
        "SELECT c.name FROM deliveries d JOIN followups f ON f.id = d.followup_id"
        " JOIN contacts ct ON ct.id = f.contact_id JOIN cards c ON c.account_id = ct.contact_id"
        " WHERE d.status = 'queued'"
    )
    assert reached != f"Follow up with {retried}"

    await merges_into_her_own(app_phone, mail, app)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert [m.json()["title"] for m in push.received_for(own_device)] == [
        f"Follow up with {retried}"
    ]
    # The retry's time comes: it does not reach her a second time.
    await pool.execute("UPDATE deliveries SET next_attempt_at = now() WHERE status = 'queued'")
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert len(push.received_for(own_device)) == 1
    assert len(push.received_for(device)) == 1
