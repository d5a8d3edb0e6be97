"""The "New join code…" on the organizer's event page, in Chromium: asked twice, said to
a screen reader before it is done, and the new code shown with a notice after."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from tests.browser.axe import axe_violations, describe_violations
from tests.browser.conftest import NewPage
from tests.browser.test_accessibility import MIN_TAP_PX, TAP_TARGETS_JS
from tests.browser.ui import DANA, make_card_from_home


async def test_the_organizer_makes_a_new_join_code_and_is_told_the_old_poster_stops(
    new_phone_page: NewPage,
) -> None:
    olga = await new_phone_page(bypass_csp=True)  # axe is injected
    await make_card_from_home(olga, DANA)
    await olga.goto("/events/new")
    now = datetime.now(UTC)
    await olga.get_by_label("Event name").fill("Breakfast")
    await olga.get_by_label("Starts").fill(f"{now - timedelta(hours=1):%Y-%m-%dT%H:%M}")
    await olga.get_by_label("Ends").fill(f"{now + timedelta(hours=2):%Y-%m-%dT%H:%M}")
    await olga.get_by_label("Time zone").fill("UTC")
    await olga.get_by_role("button", name="Create event").tap()
    await expect(olga).to_have_url(re.compile(r"/events/\d+$"))
    old_link = await olga.get_by_label("Join link").input_value()

    await olga.get_by_text("New join code…").tap()
    button = olga.get_by_role("button", name="Make a new join code")
    await expect(button).to_be_visible()
    await expect(button).to_have_accessible_description(
        re.compile(r"the poster you printed.*no longer let anyone in.*already here stay")
    )
    await olga.wait_for_load_state("load")
    violations = await axe_violations(olga)
    assert not violations, describe_violations("event page, New join code open", violations)
    assert await olga.evaluate(TAP_TARGETS_JS, MIN_TAP_PX) == []

    await button.tap()
    await expect(olga.get_by_role("status").filter(has_text="New code made")).to_have_text(
        "New code made: the old poster no longer lets anyone in. Print or show this one."
    )
    await expect(olga.get_by_label("Join link")).not_to_have_value(old_link)
