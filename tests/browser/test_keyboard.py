"""Keyboard and screen reader use across htmx swaps: focus stays with the control used, so
a second key press acts on it again rather than on the page."""

from __future__ import annotations

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline import mias_page
from tests.browser.ui import DANA, make_card_from_home, swap_with_mia
from tests.reminders import make_due


async def test_a_switch_toggled_twice_from_the_keyboard_keeps_its_focus(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.wait_for_load_state("load")  # htmx at work
    switch = dana.get_by_role("checkbox", name="Ask for their details first.", exact=False)
    await switch.focus()
    await dana.keyboard.press("Space")
    said = dana.locator("#ask-first").get_by_role("status")
    await expect(said).to_have_text("On: they leave their details first.")
    await expect(switch).to_be_focused()
    await dana.keyboard.press("Space")
    await expect(said).to_have_text("Off: they see your whole card.")
    await expect(switch).to_be_focused()
    await expect(switch).not_to_be_checked()
    asks = await pool.fetchval("SELECT ask_details_first FROM cards WHERE name = $1", DANA.name)
    assert asks is False


async def test_a_form_sent_from_its_button_keeps_focus_on_the_button(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """The button is turned off while its form is on its way, which takes focus from it:
    once the answer is in, focus is on the same button in what came back, not on <body>."""
    dana = await swap_with_mia(new_phone_page)
    await mias_page(dana)
    await dana.get_by_label("My private note").fill("Knows the Lisbon team")
    button = dana.get_by_role("button", name="Save note")
    await button.focus()
    await dana.keyboard.press("Enter")
    # By the button: #flash, a status too, now says "Your note is saved." as well.
    saved = dana.locator("#contact-note").get_by_role("status").filter(has_text="Saved.")
    await expect(saved).to_be_visible()
    await expect(button).to_be_focused()
    assert await pool.fetchval("SELECT note FROM contacts WHERE owner_id = 1") == (
        "Knows the Lisbon team"
    )


# "fits": nothing cut off; "whole": no word broken across lines ("Cont / acts"), though a
# hyphen may end a line ("Follow- / ups").
TAB_LABELS_FIT = """() => Array.from(document.querySelectorAll('.tabs a')).map((a) => {
  const text = a.firstChild;
  const lines = [];
  for (const match of text.data.matchAll(/[^\\s-]+-?/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    lines.push(new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size);
  }
  return {
    text: a.textContent.trim(),
    fits: a.scrollWidth <= a.clientWidth + 1 && a.getBoundingClientRect().right <= innerWidth + 1,
    whole: lines.every((count) => count === 1),
  };
})"""


async def test_the_tab_bar_shows_every_label_in_large_text_and_on_a_narrow_phone(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await make_due(pool)
    await dana.goto("/contacts")
    await expect(dana.locator(".tabs .badge")).to_have_text("1")
    for width, text_size in ((360, "225%"), (320, "112.5%")):
        await dana.set_viewport_size({"width": width, "height": 740})
        await dana.evaluate(f"() => {{ document.documentElement.style.fontSize = '{text_size}'; }}")
        labels = await dana.evaluate(TAB_LABELS_FIT)
        assert [label["text"] for label in labels] == [
            "My QR",
            "Contacts",
            "Follow-ups 1",
            "My card",
        ]
        assert all(label["fits"] and label["whole"] for label in labels), (
            width,
            text_size,
            labels,
        )


FOCUSED_BELOW_BAR = """() => {
  const focused = document.activeElement;
  if (!focused || !focused.closest('main')) return null;
  const box = focused.getBoundingClientRect();
  const bar = document.querySelector('.tabs').getBoundingClientRect();
  return box.bottom > bar.top + 1 ? focused.outerHTML.slice(0, 120) : '';
}"""


async def test_no_control_reached_by_tab_is_behind_the_tab_bar(new_phone_page: NewPage) -> None:
    """Tabbing down a long page scrolls each control just into view: above the fixed tab
    bar, not under it."""
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/settings")
    await dana.evaluate("() => window.scrollTo(0, 0)")
    hidden, reached = [], 0
    for _ in range(60):
        await dana.keyboard.press("Tab")
        under = await dana.evaluate(FOCUSED_BELOW_BAR)
        if under is None:
            continue
        reached += 1
        if under:
            hidden.append(under)
    assert reached > 10, "the walk reached too few controls to say"
    assert hidden == []


CONTRAST = """(element) => {
  const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const style = getComputedStyle(element);
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


async def test_the_badge_reads_in_light_and_dark(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await make_due(pool)
    for scheme in ("light", "dark"):
        await dana.emulate_media(color_scheme=scheme)
        await dana.goto("/contacts")
        ratio = await dana.locator(".tabs .badge").evaluate(CONTRAST)
        assert ratio >= 4.5, (scheme, ratio)


async def test_text_follows_the_size_set_in_the_browser(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await dana.goto("/")
    size = "() => getComputedStyle(document.documentElement).fontSize"
    assert await dana.evaluate(size) == "18px"  # at the browser's usual 16 px
    cdp = await dana.context.new_cdp_session(dana)
    await cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32}})
    await dana.reload()
    assert await dana.evaluate(size) == "36px"
