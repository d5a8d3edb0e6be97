"""On a narrow phone, a button's word is never broken across lines ("Tomorro / w" under
"Follow up later:" on a contact's page): a button two to a row has room for its words, and a
phrase wraps between words."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline import mias_page
from tests.browser.ui import swap_with_mia

# Each visible button's words, with how many lines each word is drawn on.
BUTTON_WORDS = """() => Array.from(document.querySelectorAll('main button, main .btn'))
  .filter((button) => button.checkVisibility())
  .map((button) => {
    const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
    const broken = [];
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const match of text.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
    return { text: button.textContent.trim(), broken };
  })"""


async def test_no_button_word_is_broken_on_a_contacts_page_at_360(
    new_phone_page: NewPage,
) -> None:
    dana = await swap_with_mia(new_phone_page)
    for width in (360, 320):
        await dana.set_viewport_size({"width": width, "height": 740})
        await mias_page(dana, kept_for_offline=False)
        await expect(dana.get_by_role("button", name="Tomorrow")).to_be_visible()
        buttons = await dana.evaluate(BUTTON_WORDS)
        assert "Tomorrow" in [b["text"] for b in buttons]
        assert [b for b in buttons if b["broken"]] == [], width
