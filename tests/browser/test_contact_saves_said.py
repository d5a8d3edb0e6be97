"""What a screen reader hears after a save on a contact's page and on My QR (review r76): each
form's part comes back with "Saved." already written, a status that is often not read, and
#flash, the live region there from the start, stayed empty. Now each says what happened in
#flash, and "Undo" after Mark done, No reminder or Reach out is read with what it undoes."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, MIA, make_card_from_home, swap_with_mia


def flash(page: Page) -> Locator:
    """What #flash, the live region there from the start, says."""
    return page.locator("#flash").get_by_role("paragraph")


async def press(page: Page, button_name: str, scope: str = "main") -> None:
    """As a keyboard or screen reader does it: focus, then Enter."""
    await page.locator(scope).get_by_role("button", name=button_name, exact=True).focus()
    await page.keyboard.press("Enter")


async def test_saves_on_a_contact_page_are_said(new_phone_page: NewPage) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/contacts")
    await dana.get_by_role("link", name=re.compile(MIA.name)).first.tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    # Navigation to mailto: goes nowhere here; Reach out's link is not followed.
    await dana.evaluate(
        """() => document.addEventListener("reachout:open",
             (event) => { window.__opened = event.detail.value; })"""
    )

    await dana.get_by_label("My private note").fill("Fashion marketer, intro to Jo")
    await press(dana, "Save note")
    await expect(flash(dana)).to_have_text("Your note is saved.")

    await dana.get_by_label("I promised them").fill("An intro to two recruiters")
    await press(dana, "Save give and get")
    # No reminder can reach her yet (no address confirmed, no device): none is promised.
    await expect(flash(dana)).to_have_text("Give and get saved.")

    basics = dana.get_by_label("Name and headline only")
    await basics.focus()
    await dana.keyboard.press("Space")
    await expect(flash(dana)).to_have_text(
        f"Saved: {MIA.name} now sees what you chose of your card."
    )
    await expect(dana.locator("#sharing").get_by_role("status")).to_contain_text(
        "only your name and headline"
    )

    followup = dana.locator("#followup")
    undo = followup.get_by_role("button", name="Undo")
    for tapped, said, described in (
        ("Mark done", "Follow-up marked done.", "Marked done."),
        ("No reminder", "Reminder turned off.", "Reminder turned off."),
    ):
        await press(dana, tapped, "#followup")
        await expect(flash(dana)).to_have_text(said)
        # Focus lands on Undo: read with what it undoes, not as a bare "Undo".
        await expect(undo).to_be_focused()
        await expect(undo).to_have_accessible_description(described)
        await dana.keyboard.press("Enter")
        await expect(flash(dana)).to_have_text("Undone: this follow-up is open again.")

    await press(dana, "In 3 days", "#followup")
    await expect(flash(dana)).to_have_text("Snoozed for 3 days.")
    await expect(followup.get_by_role("button", name="Undo snooze", exact=True)).to_be_focused()
    await expect(followup).to_contain_text("Snoozed until")

    await (
        dana.get_by_role("region", name="Reach out")
        .get_by_role("button", name=f"Email {MIA.name}", exact=True)
        .tap()
    )
    await expect(flash(dana)).to_have_text(
        f"Your message to {MIA.name} is written: send it from the app that opens."
        " If your follow-up with them was open, it is now marked done."
    )
    await expect(undo).to_have_accessible_description("Marked done.")
    await dana.wait_for_function("() => window.__opened")

    # Done and shown again: "Remind me tomorrow" (or "Follow up tomorrow") opens it again.
    await dana.reload()
    tomorrow = followup.get_by_role("button", name=re.compile(r"^(Remind me|Follow up) tomorrow$"))
    await tomorrow.focus()
    await dana.keyboard.press("Enter")
    await expect(flash(dana)).to_have_text(
        re.compile(r"^Open again: (Reachout reminds you|follow up) (tomorrow|this) morning\.$")
    )
    await expect(followup.get_by_role("button", name="Mark done", exact=True)).to_be_visible()


async def test_ask_for_details_first_is_said_on_my_qr(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    switch = dana.get_by_role("checkbox", name="Ask for their details first.", exact=False)
    for shown in ("On: they leave their details first.", "Off: they see your whole card."):
        await switch.focus()
        await dana.keyboard.press("Space")
        await expect(dana.locator("#ask-first").get_by_role("status")).to_have_text(shown)
        await expect(flash(dana)).to_have_text(
            "Saved: your choice is in use for whoever scans your code or opens your link"
            " from now on."
        )
        await expect(switch).to_be_focused()
        # Emptied here, so that the next turn shows it said again, not left from this one.
        await dana.evaluate("() => document.getElementById('flash').replaceChildren()")
