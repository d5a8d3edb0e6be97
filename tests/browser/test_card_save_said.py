"""Save on the card editor, with a screen reader on a phone (review): the card comes back in
the form's place with "Saved." written in it, a status swapped in already filled, which is
seldom read, and focus fell to the card's first link ("Email ..."), heard as if it were what
Save did. Now #flash, the live region there from the start, says "Saved.", and focus goes on
to "Edit my card". A save refused for a field says nothing there (an old "Saved." goes too)
and takes the person to that field."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, card_form, make_card_from_home

NEW_HEADLINE = "Head of talent, fashion"


async def save(page: Page) -> None:
    button = page.get_by_role("button", name="Save my card")
    await button.scroll_into_view_if_needed()
    await button.tap()


async def test_save_on_the_card_editor_is_said_and_focus_goes_on_to_edit(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/card/edit")
    await card_form(dana).get_by_label("Role or headline").fill(NEW_HEADLINE)
    await save(dana)

    view = dana.get_by_role("region", name="My card")
    await expect(view).to_contain_text(NEW_HEADLINE)
    await expect(dana.locator("#flash")).to_have_text("Saved.")
    # Said once: the card's own "Saved." line is seen, not a second status.
    await expect(view.get_by_text("Saved.", exact=True)).to_be_visible()
    await expect(dana.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)
    edit = view.get_by_role("link", name="Edit my card")
    await expect(edit).to_be_focused()
    await expect(edit).to_be_in_viewport()
    # Not the first link of the card, as before.
    await expect(view.get_by_role("link", name=f"Email {DANA.email}")).not_to_be_focused()


async def test_save_from_my_card_then_a_refused_save_says_nothing_and_focuses_the_field(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/card")
    await dana.get_by_role("link", name="Edit my card").tap()
    await card_form(dana).get_by_label("Role or headline").fill(NEW_HEADLINE)
    await save(dana)
    flash = dana.locator("#flash")
    await expect(flash).to_have_text("Saved.")
    await expect(dana.get_by_role("link", name="Edit my card")).to_be_focused()

    # Back into the editor (the "Saved." of the save before still in #flash), and a bad
    # email saved: nothing is said, and focus is on the field to fix.
    await dana.get_by_role("link", name="Edit my card").tap()
    await card_form(dana).get_by_label("Email", exact=True).fill("dana@example")
    await save(dana)
    await expect(dana.get_by_role("alert").first).to_contain_text("Nothing was saved yet")
    email = card_form(dana).get_by_label("Email", exact=True)
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(email).to_be_focused()
    await expect(flash).to_have_text("")
