"""A contact's follow-up promises a reminder only when one can reach me: with no device that
has push and no confirmed address it says when to follow up, and what would fix it."""

from __future__ import annotations

from typing import Any

from tests.mailing import confirm_addresses
from tests.phone import Phone, soup, words
from tests.reminders import next_morning, subscribe, swapped, zone_where_it_is

NO_WAY = (
    "No reminder can reach you yet. In Settings, tap Turn on reminders under Reminders on this"
    " phone, or Send me a confirmation under Email."
)


async def followup_says(phone: Phone, pool: Any, owner_id: int) -> list[str]:
    """What the follow-up on ``owner_id``'s contact says, as read: on the contact page, and in
    the fragment that Done then Undo answers with (its state, then its notice of no reminder
    reaching me, if any)."""
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = $1", owner_id)
    page = await phone.get(phone.url("contact", contact_id=contact_id))
    url = phone.url("followup_change", contact_id=contact_id)
    await phone.post(url, {"action": "done"}, htmx=True)
    undone = await phone.post(url, {"action": "undo"}, htmx=True)
    assert page.status_code == undone.status_code == 200
    said = []
    for response in (page, undone):
        section = soup(response).select_one("#followup")
        assert section is not None
        state = words(section.select_one(".followup-state"))
        notice = section.select_one("#no-reminders")
        # The notice's link ends its sentence: read without a space before the full stop.
        said.append(state + ("" if notice is None else " " + " ".join(notice.get_text().split())))
    return said


async def test_no_reminder_promised_until_one_can_reach_me(new_phone, pool, push):
    # Dana's card is new: her address unconfirmed (making a card sends nothing), no device.
    # Where it is day: "tomorrow" from the swap to the last page (in UTC, a swap at
    # 04:59 is due "today" at 09:00 a second later: the night is the day before until 05:00).
    day = zone_where_it_is(day=True)
    dana, mia = await swapped(new_phone, dana={"time_zone": day}, mia={"time_zone": day})
    for said in await followup_says(dana, pool, 1):
        assert f"Follow up {next_morning(day)} at 09:00" in said
        assert not said.startswith("Reminder")
        assert NO_WAY in said
    page = soup(await dana.get(dana.url("contact", contact_id=1)))
    # Each section named is a link to it, where its button is.
    links = [(a.get_text(), a["href"]) for a in page.select("#no-reminders a")]
    assert links == [
        ("Reminders on this phone", dana.url("settings") + "#push"),
        ("Email", dana.url("settings") + "#email-section"),
    ]

    # Her address confirmed: its reminder is promised again, and nothing is to be fixed.
    await confirm_addresses(pool, "dana@example.com")
    for said in await followup_says(dana, pool, 1):
        assert f"Reminder {next_morning(day)} at 09:00" in said
        assert "No reminder can reach you" not in said

    # Mia, by a phone with push on.
    for said in await followup_says(mia, pool, 2):
        assert f"Follow up {next_morning(day)} at 09:00" in said and NO_WAY in said
    await subscribe(mia, push)
    for said in await followup_says(mia, pool, 2):
        assert f"Reminder {next_morning(day)} at 09:00" in said
        assert "No reminder can reach you" not in said


async def test_what_fixes_it_is_what_her_choice_needs(new_phone, pool):
    # Where it is day: "tomorrow" from the swap to the last page (in UTC, a swap at
    # 04:59 is due "today" at 09:00 a second later: the night is the day before until 05:00).
    day = zone_where_it_is(day=True)
    dana, _ = await swapped(new_phone, dana={"time_zone": day})
    await pool.execute("UPDATE accounts SET reminders_by = 'push' WHERE id = 1")
    page, _ = await followup_says(dana, pool, 1)
    assert (
        "No reminder can reach you yet. In Settings, tap Turn on reminders under Reminders on"
        " this phone." in page
    )
    assert page.startswith("Follow up ")
    await pool.execute("UPDATE accounts SET reminders_by = 'email' WHERE id = 1")
    page, _ = await followup_says(dana, pool, 1)
    assert (
        "No reminder can reach you yet. In Settings, tap Send me a confirmation under Email."
        in page
    )
    # No reminders chosen: nothing is wrong, and no reminder is promised either.
    await pool.execute("UPDATE accounts SET reminders_by = 'neither' WHERE id = 1")
    for said in await followup_says(dana, pool, 1):
        assert f"Follow up {next_morning(day)} at 09:00" in said
        assert "No reminder can reach you" not in said
