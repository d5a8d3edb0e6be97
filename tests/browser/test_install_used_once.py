"""The welcome page's "Install Reachout" goes once it has opened the browser's install prompt.

A prompt can be shown only once: a button left behind after "Cancel" would do nothing on a
second tap, with nothing said. Chromium's ``beforeinstallprompt`` is simulated (as a
welcome page in a fresh headless profile is not offered installation): its ``prompt()``
counts the times it was shown, and the person cancels.
"""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, leave_details, make_card_from_home, share_link

# Chromium offering installation, and the person cancelling its dialog.
OFFER_INSTALL = """() => {
  window.__prompted = window.__prompted || 0;
  const offer = new Event("beforeinstallprompt", { cancelable: true });
  offer.prompt = () => { window.__prompted += 1; return Promise.resolve(); };
  offer.userChoice = Promise.resolve({ outcome: "dismissed", platform: "" });
  window.dispatchEvent(offer);
}"""


async def mia_on_her_welcome_page(new_phone_page: NewPage) -> Page:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await share_link(dana)
    mia = await new_phone_page()
    await mia.goto(link)
    await leave_details(mia, DANA.name, "Mia Chen", "mia@example.com")
    return mia


async def test_install_button_goes_once_the_prompt_is_used(new_phone_page: NewPage) -> None:
    mia = await mia_on_her_welcome_page(new_phone_page)
    install = mia.get_by_role("button", name="Install Reachout")
    await expect(install).to_be_hidden()  # nothing to install with until Chromium offers it

    await mia.evaluate(OFFER_INSTALL)
    await expect(install).to_have_count(1)
    await install.tap()
    assert await mia.evaluate("window.__prompted") == 1
    # She cancelled Chromium's dialog: no button is left that a second tap would find dead.
    await expect(install).to_be_hidden()
    # Her screen reader stays where she was (what is just above the button), not back at the
    # top of the page.
    await expect(mia.get_by_role("link", name="Move to another app or phone")).to_be_focused()
    await expect(mia.get_by_text("tap the ⋮ menu, then Install app", exact=False)).to_be_visible()

    # Chromium offers it again: the button is back, and this time it opens the prompt.
    await mia.evaluate(OFFER_INSTALL)
    await expect(install).to_be_visible()
    await install.tap()
    assert await mia.evaluate("window.__prompted") == 2
    await expect(install).to_be_hidden()
