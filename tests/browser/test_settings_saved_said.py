"""Settings on a 390x844 phone: Save says "Saved." by Save, where the person is, and in the
page's live region (#flash), there from the start, so a screen reader reads it; "Use this
phone's time zone" after a refused zone takes the refusal away with the zone it refused; and
"Turn on reminders" with reminders chosen by email says what this phone will get."""

from __future__ import annotations

import re
import secrets

from playwright.async_api import Page, expect

from server.local_services.push_service import LocalPushService
from tests.browser.conftest import NewPage
from tests.browser.test_reminders import fake_push_manager
from tests.browser.ui import DANA, make_card_from_home

IPHONE = {"width": 390, "height": 844}


async def settings(new_phone_page: NewPage, **options: object) -> Page:
    dana = await new_phone_page(viewport=IPHONE, **options)
    await make_card_from_home(dana, DANA)
    await dana.goto("/settings")
    return dana


async def test_saved_is_shown_by_save_and_said_in_the_live_region(
    new_phone_page: NewPage,
) -> None:
    dana = await settings(new_phone_page)
    preferences = dana.locator("#preferences")
    await preferences.get_by_label("By email", exact=True).check()
    save = preferences.get_by_role("button", name="Save reminder settings", exact=True)
    await save.scroll_into_view_if_needed()
    await save.tap()
    saved = preferences.get_by_role("status")
    await expect(saved).to_have_text("Saved.")
    await expect(saved).to_be_in_viewport()
    await expect(save).to_be_in_viewport()
    await expect(dana.locator("#flash")).to_have_text("Your settings are saved and in use.")


async def test_a_refused_zone_then_this_phones_zone_is_no_longer_marked_refused(
    new_phone_page: NewPage,
) -> None:
    dana = await settings(new_phone_page, timezone_id="America/New_York")
    zone = dana.get_by_label(re.compile(r"^Time zone"))
    await zone.fill("EST")
    save = dana.locator("#preferences").get_by_role(
        "button", name="Save reminder settings", exact=True
    )
    await save.scroll_into_view_if_needed()
    await save.tap()
    await expect(zone).to_have_attribute("aria-invalid", "true")
    await expect(dana.locator("#tz-error")).to_be_visible()
    await expect(dana.locator("#preferences").get_by_role("alert")).to_have_text(
        "Please fix the field marked below. Nothing was saved yet."
    )

    await dana.get_by_role("button", name="Use this phone's time zone (America/New_York)").tap()
    await expect(zone).to_have_value("America/New_York")
    await expect(zone).not_to_have_attribute("aria-invalid", "true")
    await expect(dana.locator("#tz-error")).to_have_count(0)
    described = await zone.get_attribute("aria-describedby") or ""
    assert "tz-error" not in described.split(), described
    await expect(zone).to_be_focused()


async def test_turning_on_with_reminders_by_email_says_only_requests_come_here(
    new_phone_page: NewPage, live_server: str, push: LocalPushService
) -> None:
    dana = await settings(new_phone_page)
    await dana.context.grant_permissions(["notifications"], origin=live_server)
    await dana.context.add_init_script(fake_push_manager(push.origin, secrets.token_urlsafe(16)))
    preferences = dana.locator("#preferences")
    await preferences.get_by_label("By email", exact=True).check()
    await preferences.get_by_role("button", name="Save reminder settings", exact=True).tap()
    await expect(preferences.get_by_role("status")).to_have_text("Saved.")
    line = dana.locator("#reminded-when")
    await expect(line).to_contain_text("You chose reminders by email")
    await expect(line).to_contain_text("this phone gets only requests to connect")
    await dana.reload()
    await dana.get_by_role("button", name="Turn on reminders").tap()
    await expect(dana.locator("#push").get_by_role("status")).to_have_text(
        "This phone will get requests to connect. Reminders to follow up do not come here:"
        " you chose reminders by email, under How reminders come."
    )
