"""Merging keeps what the calendar file of the card merged in still cancels: a follow-up that
went with its contact (Sam removed her) is kept 30 days so that the file cancels it in a
calendar that imported it (migration 0061). After the merge, the account kept's file cancels
it: otherwise it went with the card merged in, and her calendar kept it, alarm and all."""

from __future__ import annotations

from tests.contacts.test_take_back import remove
from tests.followups.test_calendar_updates import entry, sequence
from tests.mailing import confirm_addresses
from tests.signin.test_merge_keeps_reminders import merges_into_her_own
from tests.signin.test_merging import swap

REAL, APP, SAM = 1, 2, 3


async def test_a_follow_up_sam_took_away_is_cancelled_by_the_account_kept(
    new_phone, pool, mail, app
):
    real = await new_phone()
    await real.make_card(email="dana@example.com")  # REAL
    await confirm_addresses(pool, "dana@example.com")
    app_phone = await new_phone()
    await app_phone.make_card(name="Dana L.", email="")  # APP
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")  # SAM
    await swap(app_phone, sam)
    # Ben too: a card with contacts is what signing in offers to merge.
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email="ben@example.com")
    await swap(app_phone, ben)
    # Her follow-up with Sam on the app's card, in the calendar file made an hour ago.
    followup_id = await pool.fetchval(
        "UPDATE followups SET updated_at = now() - interval '1 hour' WHERE owner_id = $1"
        " AND contact_id IN (SELECT id FROM contacts WHERE contact_id = $2) RETURNING id",
        APP,
        SAM,
    )
    _, before = await entry(app_phone, followup_id)
    assert str(before["status"]) == "CONFIRMED" and before.walk("VALARM")

    # Sam removes her, for good; the app's file cancels the entry...
    sams = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = $1", SAM)
    await remove(sam, sams)
    await pool.execute("UPDATE contact_removals SET undo_until = now() - interval '1 s'")
    _, gone = await entry(app_phone, followup_id)
    assert str(gone["status"]) == "CANCELLED"

    # ...and, the app's card merged into her real account, so does the account kept's.
    await merges_into_her_own(app_phone, mail, app)
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", APP) == 0
    for phone in (real, app_phone):
        raw, cancelled = await entry(phone, followup_id)
        assert str(cancelled["status"]) == "CANCELLED"
        assert sequence(cancelled) > sequence(before), "a calendar would keep the open one"
        assert cancelled.walk("VALARM") == []
        assert b"Sam Park" not in raw
