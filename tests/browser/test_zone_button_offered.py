"""Settings' "Use this phone's time zone" fills in only a zone Save takes: a phone set to an
offset zone (Etc/GMT-3, which Save refuses as typed: its sign runs backwards) is offered no
button to a 422, only the field to type a city in."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, make_card_from_home


async def _save_zone(page, zone: str) -> None:  # type: ignore[no-untyped-def]
    field = page.get_by_label(re.compile(r"^Time zone"))
    await field.fill(zone)
    save = page.locator("form", has=field).get_by_role("button", name="Save reminder settings")
    await save.scroll_into_view_if_needed()
    await save.tap()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()


async def test_an_offset_zone_is_not_offered_by_the_button(new_phone_page: NewPage) -> None:
    dana = await new_phone_page(timezone_id="Etc/GMT-3")
    await make_card_from_home(dana, DANA)
    await dana.goto("/settings")
    await _save_zone(dana, "Asia/Tokyo")
    await expect(dana.get_by_label(re.compile(r"^Time zone"))).to_have_value("Asia/Tokyo")
    await expect(
        dana.get_by_role("button", name=re.compile("Use this phone's time zone"))
    ).to_have_count(0)


async def test_a_city_zone_is_offered_and_saved(new_phone_page: NewPage) -> None:
    dana = await new_phone_page(timezone_id="Asia/Dubai")
    await make_card_from_home(dana, DANA)
    await dana.goto("/settings")
    await _save_zone(dana, "Asia/Tokyo")
    use_mine = dana.get_by_role("button", name="Use this phone's time zone (Asia/Dubai)")
    await use_mine.tap()
    await _save_zone_as_filled(dana)
    await expect(dana.get_by_label(re.compile(r"^Time zone"))).to_have_value("Asia/Dubai")


async def _save_zone_as_filled(page) -> None:  # type: ignore[no-untyped-def]
    field = page.get_by_label(re.compile(r"^Time zone"))
    save = page.locator("form", has=field).get_by_role("button", name="Save reminder settings")
    await save.scroll_into_view_if_needed()
    await save.tap()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
