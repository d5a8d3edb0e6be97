"""A form sent back with errors takes the person to the first one: on a phone the button they
tapped is at the bottom, the errors above the screen, and before this nothing seemed to
happen (focus on the page's body, the page still scrolled to the button)."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, card_form, fill_card_form, make_card_from_home, name_input

CSP_WATCH = """document.addEventListener("securitypolicyviolation", (event) => {
  (window.__csp = window.__csp || []).push(event.violatedDirective + " " + event.sample);
});"""


async def csp_complaints(page: Page) -> list[str]:
    """What this document's Content Security Policy refused (the watch is added at load)."""
    said: list[str] = await page.evaluate("() => window.__csp || []")
    return said


async def test_a_refused_card_takes_the_person_to_the_first_error(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await dana.add_init_script(CSP_WATCH)
    await dana.goto("/card")
    form = card_form(dana)
    await fill_card_form(dana, DANA)
    await name_input(form).fill("")
    await form.get_by_label("Email", exact=True).fill("not-an-email")
    save = dana.get_by_role("button", name="Save my card")
    await save.scroll_into_view_if_needed()
    await save.tap()
    await expect(dana.get_by_role("alert").first).to_contain_text("Nothing was saved yet")
    name = name_input(card_form(dana))
    await expect(name).to_be_focused()
    await expect(name).to_be_in_viewport()
    await expect(name).to_have_attribute("aria-invalid", "true")
    # Nothing typed was lost: the other fields keep their values.
    await expect(card_form(dana).get_by_label("Role or headline")).to_have_value(DANA.headline)
    # Fixing a field is checked as it is left; nothing the page does breaks its own CSP.
    await name.fill("Dana Lee")
    await card_form(dana).get_by_label("Email", exact=True).focus()
    await expect(dana.locator("#err-name")).to_have_count(0)
    assert await csp_complaints(dana) == [], "htmx settled a style attribute the CSP refuses"


async def test_a_field_checked_as_it_is_left_keeps_focus_where_the_person_went(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await dana.add_init_script(CSP_WATCH)
    await make_card_from_home(dana, DANA)
    await dana.goto("/card/edit")
    form = card_form(dana)
    await form.get_by_label("Email", exact=True).fill("not-an-email")
    phone = form.get_by_label("Phone", exact=True)
    await phone.focus()  # leaving Email: its check runs on "change"
    await expect(dana.locator("#err-email")).to_contain_text(re.compile(r"email", re.I))
    await expect(phone).to_be_focused()
    assert await csp_complaints(dana) == []


async def test_settings_take_the_person_to_a_refused_time_zone(new_phone_page: NewPage) -> None:
    dana = await new_phone_page(timezone_id="Asia/Tokyo")
    await make_card_from_home(dana, DANA)
    await dana.goto("/settings")
    zone = dana.get_by_label(re.compile(r"^Time zone"))
    await zone.fill("Nowhere/Land")
    form = dana.locator("form", has=zone)
    save = form.get_by_role("button", name="Save reminder settings")
    await save.scroll_into_view_if_needed()
    await save.tap()
    zone = dana.get_by_label(re.compile(r"^Time zone"))
    await expect(zone).to_have_attribute("aria-invalid", "true")
    await expect(zone).to_be_focused()
    await expect(zone).to_be_in_viewport()
    await expect(dana.locator("#tz-error")).to_contain_text("Type a city, like London")
    # The form came back from the server: its phone's-zone button works again.
    use_mine = dana.get_by_role("button", name="Use this phone's time zone (Asia/Tokyo)")
    await use_mine.tap()
    await expect(zone).to_have_value("Asia/Tokyo")
    await dana.locator("form", has=zone).get_by_role("button", name="Save reminder settings").tap()
    await expect(dana.get_by_role("status").filter(has_text="Saved.")).to_be_visible()


async def test_focus_goes_to_the_form_sent_not_to_an_old_error_above_it(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/tap")
    their_code = dana.get_by_label("Their code")
    await their_code.fill("000 000")
    await dana.get_by_role("button", name="Swap", exact=True).tap()
    await expect(their_code).to_have_attribute("aria-invalid", "true")
    await dana.get_by_text("Someone without the app").tap()
    guest = dana.locator("#guest-form")
    await name_input(guest).fill("Gus Guest")
    await guest.get_by_role("button", name="Save their details").tap()
    email = dana.locator("#guest-form").get_by_label("Email", exact=True)
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(email).to_be_focused()


async def test_a_field_is_named_by_its_label_and_its_hint_and_error_are_read_after(
    new_phone_page: NewPage,
) -> None:
    # A screen reader names a field by its label; a hint inside the label made "LinkedIn
    # Profile link or username" its name, so "LinkedIn" alone found nothing.
    dana = await new_phone_page()
    await dana.goto("/card")
    form = card_form(dana)
    linkedin = form.get_by_label("LinkedIn", exact=True)
    await expect(linkedin).to_have_accessible_name("LinkedIn")
    await expect(linkedin).to_have_accessible_description("Profile link or username")
    # "(required)" is seen; the field's required state says it to a screen reader once.
    name = name_input(form)
    await expect(name).to_have_accessible_name("Name")
    await expect(name).to_have_attribute("required", "")
    await expect(form.get_by_text("(required)")).to_be_visible()
    await linkedin.fill("https://example.com/not-linkedin")
    await form.get_by_label("Phone", exact=True).focus()  # leaving LinkedIn: its check runs
    linkedin = card_form(dana).get_by_label("LinkedIn", exact=True)
    await expect(linkedin).to_have_attribute("aria-invalid", "true")
    await expect(linkedin).to_have_accessible_description(
        re.compile(r"^Profile link or username \S.*linkedin", re.I)
    )


async def test_a_paste_cut_at_the_limit_says_so_and_a_long_text_says_what_is_left(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await dana.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await dana.goto("/card")
    helps = card_form(dana).get_by_label("I can help with")
    bio = "Intros to recruiters in fashion. " * 20  # 660 characters; the field takes 500
    await dana.evaluate("text => navigator.clipboard.writeText(text)", bio)
    await helps.focus()
    await dana.keyboard.press("ControlOrMeta+V")
    await expect(helps).to_have_value(bio[:500])
    said = card_form(dana).get_by_role("status").filter(has_text="characters")
    await expect(said).to_have_text(
        "Only the first 500 characters fit here: the end of what you added was left out."
    )
    # What is left is read with the field, and seen.
    await expect(dana.get_by_text("0 characters left")).to_be_visible()
    await expect(helps).to_have_accessible_description(re.compile("0 characters left"))
    # Pasting into a full field adds nothing, and says so.
    await dana.keyboard.press("ControlOrMeta+V")
    await expect(said).to_have_text("This field is full (500 characters): nothing more was added.")
    # Room again: the counter goes on, the notice is past.
    await helps.press("Backspace")
    await expect(dana.get_by_text("1 character left")).to_be_visible()
    await expect(said).to_have_count(0)
    await helps.fill("A short line")
    await expect(dana.get_by_text(re.compile(r"characters? left"))).to_be_hidden()
    await expect(helps).to_have_accessible_description("Skills, people you know...")


async def test_a_word_an_input_method_commits_past_the_limit_is_said_to_be_cut(
    new_phone_page: NewPage,
) -> None:
    # Japanese, Chinese or Korean typed through an input method: the word is composed, may
    # run past the limit while composed, and is cut when committed.
    dana = await new_phone_page()
    await dana.goto("/card")
    helps = card_form(dana).get_by_label("I can help with")
    await helps.fill("x" * 498)
    await helps.focus()
    ime = await dana.context.new_cdp_session(dana)
    await ime.send(
        "Input.imeSetComposition", {"text": "にほんご", "selectionStart": 4, "selectionEnd": 4}
    )
    await expect(dana.get_by_text(re.compile(r"-\d+ characters? left"))).to_have_count(0)
    await ime.send("Input.insertText", {"text": "にほんご"})
    await expect(helps).to_have_value("x" * 498 + "にほ")
    await expect(card_form(dana).get_by_role("status").filter(has_text="characters")).to_have_text(
        "Only the first 500 characters fit here: the end of what you added was left out."
    )
    await expect(dana.get_by_text("0 characters left")).to_be_visible()


async def test_text_dropped_past_the_limit_is_said_to_be_cut(new_phone_page: NewPage) -> None:
    # Text dragged from another app (split screen on a tablet) and dropped into the field.
    dana = await new_phone_page()
    await dana.goto("/card")
    helps = card_form(dana).get_by_label("I can help with")
    await helps.fill("Intros to recruiters. ")
    box = await helps.bounding_box()
    assert box is not None
    at = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    dragged = {
        "items": [{"mimeType": "text/plain", "data": "Fashion and retail hiring. " * 30}],
        "dragOperationsMask": 1,
    }
    drag = await dana.context.new_cdp_session(dana)
    for kind in ("dragEnter", "dragOver", "drop"):
        await drag.send("Input.dispatchDragEvent", {"type": kind, **at, "data": dragged})
    await expect(helps).to_have_value(re.compile(r"^.{500}$", re.S))
    await expect(card_form(dana).get_by_role("status").filter(has_text="characters")).to_have_text(
        "Only the first 500 characters fit here: the end of what you added was left out."
    )
    await expect(dana.get_by_text("0 characters left")).to_be_visible()


async def test_a_page_that_comes_back_with_an_error_takes_focus_to_the_field(
    new_phone_page: NewPage,
) -> None:
    """/join is a plain form: its answer is a whole page, which put focus nowhere."""
    page = await new_phone_page()
    await page.goto("/join")
    field = page.get_by_label("Event code")
    await field.fill("abc")
    await page.get_by_role("button", name="Find the event").tap()
    await expect(field).to_have_accessible_description(re.compile("that was 3"))
    await expect(field).to_be_focused()
