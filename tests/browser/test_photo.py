"""A photo is added in one step: choosing it uploads it, as a phone's photo picker leads one
to expect (it took a second tap on "Upload photo", easy to miss below the picker); the card
at the top of the page shows it at once, and the initial again once it is removed."""

from __future__ import annotations

import io

from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, make_card_from_home


def png(colour: str) -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(picture, "PNG")
    return picture.getvalue()


async def test_choosing_a_photo_uploads_it(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/card")
    photo = dana.get_by_role("region", name="Photo")
    card = dana.get_by_role("region", name="My card")
    await expect(card.locator(".avatar")).to_have_text("D")
    await expect(photo.get_by_role("button", name="Upload photo")).to_have_count(0)
    await photo.get_by_label("Add a photo").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": png("teal")}]
    )
    await expect(photo.get_by_role("img", name="Your current photo")).to_be_visible()
    shown = await photo.get_by_role("img", name="Your current photo").get_attribute("src")
    await expect(card.locator("img.avatar")).to_have_attribute("src", shown or "")
    # Said where a screen reader hears it: a live region that was there before the upload.
    await expect(dana.locator("#flash")).to_have_text("Photo saved.")
    # htmx wires up what it swapped in when it settles, 20 ms later: no person picks a file
    # that fast, a test does.
    await expect(dana.locator(".htmx-added, .htmx-settling")).to_have_count(0)
    # Something that is not a photo is refused where it was chosen; the photo stays.
    await photo.get_by_label("Change photo").set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not a picture"}]
    )
    await expect(photo.get_by_role("alert")).to_be_visible()
    await expect(dana.locator("#flash")).to_be_empty()
    await expect(photo.get_by_role("img", name="Your current photo")).to_be_visible()
    # Removed: the card above shows the initial again, not a photo that is gone.
    await expect(dana.locator(".htmx-added, .htmx-settling")).to_have_count(0)
    await photo.get_by_role("button", name="Remove photo").click()
    await expect(dana.locator("#flash")).to_have_text("Photo removed.")
    await expect(photo.get_by_role("img", name="Your current photo")).to_have_count(0)
    await expect(card.locator("img")).to_have_count(0)
    await expect(card.locator(".avatar")).to_have_text("D")
    await expect(card.get_by_role("link", name="Edit my card")).to_be_visible()
