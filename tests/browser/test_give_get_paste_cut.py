"""A long paste into give and get (500 characters each) is said to be cut, as on the card and
guest forms: a 5,000-character paste into "I promised them" was reported cut without a word.
The same notice (app.js, each field's "-cut" status from forms.field) serves both fields,
in a fresh page and in one whose fields were saved already."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import MIA, swap_with_mia

CUT = "Only the first 500 characters fit here: the end of what you added was left out."


async def test_a_long_paste_into_give_and_get_says_it_was_cut(new_phone_page: NewPage) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await dana.goto("/contacts")
    await dana.get_by_role("link", name=re.compile(MIA.name)).first.tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    form = dana.locator("#give-get")
    pasted = "An intro to two fashion recruiters. " * 139  # 5,004 characters
    await dana.evaluate("text => navigator.clipboard.writeText(text)", pasted)

    promised = form.get_by_label("I promised them")
    await promised.focus()
    await dana.keyboard.press("ControlOrMeta+V")
    await expect(promised).to_have_value(pasted[:500])
    await expect(form.get_by_role("status").filter(has_text="characters")).to_have_text(CUT)

    await form.get_by_role("button", name="Save give and get").tap()
    await expect(dana.locator("#flash")).to_contain_text("Give and get saved")
    await dana.reload()
    asked = form.get_by_label("They asked me for")
    await asked.fill("Intros")
    await asked.focus()
    await dana.keyboard.press("ControlOrMeta+V")
    await expect(asked).to_have_value("Intros" + pasted[:494])
    await expect(form.get_by_role("status").filter(has_text="characters")).to_have_text(CUT)
