"""A follow-up's buttons promise no reminder that cannot come: with no phone subscribed and
no confirmed address (or no reminders chosen), "Remind me again" is "Follow up later" and
"Remind me tomorrow" is "Follow up tomorrow", as its state says "Follow up …" then."""

from __future__ import annotations

from tests.phone import Phone, soup
from tests.reminders import subscribe, swapped


async def snooze_label(dana: Phone, contact_id: int) -> str:
    page = soup(await dana.get(dana.url("contact", contact_id=contact_id)))
    group = page.select_one("#followup [role=group]")
    return page.find(id=group["aria-labelledby"]).get_text(strip=True)


async def reopen_button(dana: Phone, contact_id: int) -> str:
    page = soup(await dana.get(dana.url("contact", contact_id=contact_id)))
    [button] = page.select("#followup form button")
    return button.get_text(strip=True)


async def test_the_snooze_group_promises_a_reminder_only_when_one_can_come(new_phone, pool, push):
    dana, _ = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    # A new card: its email not confirmed, no phone subscribed.
    assert await snooze_label(dana, contact_id) == "Follow up later:"
    # Snoozed from the page (the #followup fragment): still no promise.
    url = dana.url("followup_change", contact_id=contact_id)
    fragment = soup(await dana.post(url, {"action": "snooze", "days": "3"}, htmx=True))
    assert "Remind me" not in fragment.get_text()
    assert fragment.find(id="snooze-label").get_text(strip=True) == "Follow up later:"
    await subscribe(dana, push)
    assert await snooze_label(dana, contact_id) == "Remind me again:"
    # No reminders chosen: nothing is wrong, and nothing is promised either.
    await pool.execute("UPDATE accounts SET reminders_by = 'neither' WHERE id = 1")
    assert await snooze_label(dana, contact_id) == "Follow up later:"


async def test_a_done_follow_up_offers_a_reminder_only_to_someone_reminded(new_phone, pool, push):
    dana, _ = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    await subscribe(dana, push)
    await pool.execute("UPDATE followups SET status = 'done' WHERE owner_id = 1")
    assert await reopen_button(dana, contact_id) == "Remind me tomorrow"
    await pool.execute("UPDATE accounts SET reminders_by = 'neither' WHERE id = 1")
    assert await reopen_button(dana, contact_id) == "Follow up tomorrow"
