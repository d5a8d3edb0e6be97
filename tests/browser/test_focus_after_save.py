"""Settings' Save keeps the person at the form they saved: the answer also puts right, out of
band, a line far down the page ("Reminders on this phone"), and focus followed that line
there, 2,000 px below, with "Saved." off screen and a screen reader's place lost."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, make_card_from_home


async def test_save_on_settings_leaves_focus_on_save_not_down_the_page(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/settings")
    preferences = dana.locator("#preferences")
    await preferences.get_by_label("In 3 days (09:00)").check()
    save = preferences.get_by_role("button", name="Save reminder settings", exact=True)
    await save.scroll_into_view_if_needed()
    scrolled_before: int = await dana.evaluate("() => window.scrollY")
    await save.tap()
    await expect(preferences.get_by_role("status")).to_have_text("Saved.")
    # The out-of-band line was put right (it is what took focus away).
    reminded_when = dana.locator("#reminded-when")
    await expect(reminded_when).to_contain_text("Three days after you meet someone")
    await dana.wait_for_timeout(200)  # every swapped part settled (htmx settles after 20 ms)
    await expect(save).to_be_focused()
    await expect(save).to_be_in_viewport()
    await expect(reminded_when).not_to_be_focused()
    scrolled_after: int = await dana.evaluate("() => window.scrollY")
    assert abs(scrolled_after - scrolled_before) < 200, (scrolled_before, scrolled_after)
