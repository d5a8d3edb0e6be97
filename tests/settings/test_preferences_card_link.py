"""Settings' "No reminder can reach you yet", for a card with no email: "your card" is a link to
the card editor, where the address is added, as Follow-ups links it; on the page and in
Save's answer. It led to Settings' own Email section, one more tap from the editor."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.phone import Phone, soup
from tests.reminders import swapped


def card_link(page: BeautifulSoup) -> str:
    notice = page.select_one("#no-reminders")
    assert notice is not None
    assert " ".join(notice.get_text().split()).endswith("add an email address to your card.")
    [link] = [a for a in notice.select("a") if a.get_text() == "your card"]
    return str(link["href"])


async def save(phone: Phone) -> BeautifulSoup:
    """Reminders by email, saved in place: adding the address is then all there is."""
    answer = await phone.post(
        phone.url("settings_save"),
        {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": "email"},
        htmx=True,
    )
    assert answer.status_code == 200
    return soup(answer)


async def test_your_card_leads_to_the_card_editor(new_phone):
    dana, _ = await swapped(new_phone, dana={"email": ""})
    href = card_link(soup(await dana.get(dana.url("settings"))))
    assert href == dana.url("card_edit")
    editor = soup(await dana.get(href))
    assert editor.find("label", string="Email") is not None

    assert card_link(await save(dana)) == dana.url("card_edit")
