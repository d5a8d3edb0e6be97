"""Buttons named for what they do (review r59): Reach out's buttons name the person they
write to (they also mark the follow-up done, beside the card's own "Email mia@example.com"
link), and the two Saves name what they save, each on a page with other Saves."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.phone import soup, words
from tests.reminders import swapped


def button_names(part: BeautifulSoup) -> list[str]:
    """Each button's name as a screen reader says it: its visible words."""
    return [words(button) for button in part.find_all("button")]


async def test_reach_out_buttons_name_the_person(new_phone, pool):
    dana, _ = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    page = soup(await dana.get(dana.url("contact", contact_id=contact_id)))
    region = page.find("section", attrs={"aria-labelledby": "reach-out-title"})
    assert region is not None
    assert button_names(region) == [
        "Email Mia Chen",
        "Text Mia Chen",
        "Message Mia Chen on LinkedIn",
    ]
    give_get = page.find("form", id="give-get")
    assert give_get is not None
    assert button_names(give_get) == ["Save give and get"]


async def test_settings_save_names_the_reminder_settings(new_phone):
    dana = await new_phone()
    await dana.make_card()
    page = soup(await dana.get(dana.url("settings")))
    preferences = page.find("form", id="preferences")
    assert preferences is not None
    assert "Save reminder settings" in button_names(preferences)
    assert "Save" not in button_names(preferences)
