"""Follow-ups' rows promise no reminder that cannot come: with no phone subscribed and no
confirmed address, a row says "Follow up tomorrow at 09:00", as the contact's page does, and
the page points to Settings; and a follow-up done says "Follow up tomorrow" on its button."""

from __future__ import annotations

from tests.phone import soup
from tests.reminders import next_morning, subscribe, swapped, zone_where_it_is


async def test_rows_say_follow_up_when_no_reminder_can_reach_me(new_phone, pool, push):
    # Where it is day: "tomorrow" from the swap to the last page (in UTC, a swap at
    # 04:59 is due "today" at 09:00 a second later: the night is the day before until 05:00).
    day = zone_where_it_is(day=True)
    dana, _ = await swapped(new_phone, dana={"time_zone": day})
    page = soup(await dana.get(dana.url("followups")))
    [row] = page.select("ul.people li")
    said = " ".join(row.get_text().split())
    assert f"Follow up {next_morning(day)} at 09:00" in said and "Reminder" not in said
    assert page.select_one("#no-reminders a[href^='/settings#']") is not None
    await subscribe(dana, push)
    page = soup(await dana.get(dana.url("followups")))
    [row] = page.select("ul.people li")
    assert f"Reminder {next_morning(day)} at 09:00" in " ".join(row.get_text().split())
    assert page.select_one("#no-reminders") is None


async def test_a_done_follow_up_offers_no_reminder_that_cannot_come(new_phone, pool, push):
    dana, _ = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    await pool.execute("UPDATE followups SET status = 'done' WHERE owner_id = 1")

    async def button() -> str:
        page = soup(await dana.get(dana.url("contact", contact_id=contact_id)))
        [only] = page.select("#followup form button")
        return only.get_text(strip=True)

    assert await button() == "Follow up tomorrow"
    await subscribe(dana, push)
    assert await button() == "Remind me tomorrow"
