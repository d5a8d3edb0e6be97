"""What Follow-ups and a contact's page say about reminders is true of the card and of the page:
with no email on the card, adding one (Settings has nothing to confirm then); the other ways to
be reminded only while no reminder reaches me; and the calendar not changed by what is done in
Reachout, not "here" (nothing on Follow-ups snoozes or marks done)."""

from __future__ import annotations

from typing import Any

from tests.mailing import confirm_addresses
from tests.phone import Phone, soup, words
from tests.reminders import swapped

OTHER_WAYS = "Get a push on this phone, or add your follow-ups to your calendar"


async def notices(phone: Phone, pool: Any, owner_id: int) -> list[str]:
    """The "no reminder can reach you" notice on Follow-ups and on the contact's page."""
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = $1", owner_id)
    said = []
    for url in (phone.url("followups"), phone.url("contact", contact_id=contact_id)):
        notice = soup(await phone.get(url)).select_one("#no-reminders")
        said.append("" if notice is None else " ".join(notice.get_text().split()))
    return said


async def test_a_card_without_email_is_told_to_add_one(new_phone, pool):
    dana, mia = await swapped(new_phone, dana={"email": ""})
    on_followups, on_contact = await notices(dana, pool, 1)
    assert on_followups == (
        "No reminder can reach you yet: the times above are when they would come. In Settings,"
        " tap Turn on reminders under Reminders on this phone, or add an email address to your"
        " card."
    )
    assert on_contact == (
        "No reminder can reach you yet. In Settings, tap Turn on reminders under Reminders on"
        " this phone, or add an email address to your card."
    )
    page = soup(await dana.get(dana.url("followups")))
    links = [(a.get_text(), a["href"]) for a in page.select("#no-reminders a")]
    assert links == [
        ("Reminders on this phone", dana.url("settings") + "#push"),
        ("your card", dana.url("card_edit")),
    ]
    # Settings says the same, and its Email section has no button, only those words.
    settings = soup(await dana.get(dana.url("settings")))
    assert " ".join(settings.select_one("#no-reminders").get_text().split()) == (
        "No reminder can reach you yet: tap Turn on reminders under Reminders on this phone, or"
        " add an email address to your card."
    )
    email = settings.select_one("#email-section")
    assert "Add an email address to your card" in words(email)
    assert "Send me a confirmation" not in words(email)

    # By email only: adding the address is all there is, and it is not in Settings.
    await pool.execute("UPDATE accounts SET reminders_by = 'email' WHERE id = 1")
    assert await notices(dana, pool, 1) == [
        "No reminder can reach you yet: the times above are when they would come. Add an email"
        " address to your card.",
        "No reminder can reach you yet. Add an email address to your card.",
    ]

    # An address on the card, not confirmed: "Send me a confirmation", as before.
    on_followups, on_contact = await notices(mia, pool, 2)
    assert on_followups.endswith(
        "In Settings, tap Turn on reminders under Reminders on this phone, or Send me a"
        " confirmation under Email."
    )
    assert on_contact.endswith(
        "In Settings, tap Turn on reminders under Reminders on this phone, or Send me a"
        " confirmation under Email."
    )


async def test_other_ways_to_be_reminded_only_while_none_reaches_me(new_phone, pool):
    dana, _ = await swapped(new_phone)
    await pool.execute("UPDATE accounts SET reminders_by = 'email' WHERE id = 1")

    async def followups() -> str:
        main = soup(await dana.get(dana.url("followups"))).select_one("main")
        assert main is not None
        return words(main)

    # Not confirmed yet: no reminder reaches her, and a push or her calendar would.
    assert OTHER_WAYS in await followups()
    # Confirmed: her reminders come by email; the line would ask for what she has.
    await confirm_addresses(pool, "dana@example.com")
    page = await followups()
    assert OTHER_WAYS not in page and "No reminder can reach you" not in page
    assert "Add to calendar" in page
    # No reminders chosen: her calendar could still remind her.
    await pool.execute("UPDATE accounts SET reminders_by = 'neither' WHERE id = 1")
    assert OTHER_WAYS in await followups()


async def test_calendar_note_says_where_snoozing_is_done(new_phone):
    dana, _ = await swapped(new_phone)
    page = soup(await dana.get(dana.url("followups")))
    assert words(page.select_one("#calendar-updates")) == (
        "Snoozing or marking done in Reachout doesn't change your calendar: add it again to"
        " update it."
    )
