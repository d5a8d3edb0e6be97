"""A full-size phone photo (a 50 MP Android JPEG is 10-20 MB) is taken; one over the photo
limit is said inside the photo section, where it was chosen, with the choice cleared and the
photo on the card kept, not above the page in words about forms."""

from __future__ import annotations

import io
import os
import re

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from server.cards import photos
from tests.cards.test_photo_uploads import photo_jpeg, saved_photo
from tests.phone import soup, words

MIB = 1024 * 1024


def noise_jpeg(width: int, height: int, quality: int) -> bytes:
    """A JPEG as large as a camera's: noise compresses as little as a detailed photo."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(
        out, "JPEG", quality=quality
    )
    return out.getvalue()


async def card_page_with_a_photo(phone, pool) -> tuple[BeautifulSoup, str]:
    await phone.make_card()
    saved = await phone.post(
        phone.url("card_photo"), files={"photo": ("me.jpg", photo_jpeg(), "image/jpeg")}
    )
    assert saved.status_code == 303
    key, _ = await saved_photo(pool)
    return soup(await phone.get(phone.url("card"))), key


async def test_a_12_mb_phone_photo_is_taken(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    big = noise_jpeg(4000, 3000, 95)
    assert len(big) > 12 * MIB
    response = await phone.post(
        phone.url("card_photo"), files={"photo": ("big.jpg", big, "image/jpeg")}, htmx=True
    )
    assert response.status_code == 200
    assert soup(response).select_one("#card-photo [role=alert]") is None
    assert await pool.fetchval("SELECT photo_key FROM cards") is not None


async def test_a_photo_over_the_limit_is_said_in_the_photo_section(new_phone, pool, app):
    phone = await new_phone()
    page, key = await card_page_with_a_photo(phone, pool)
    too_big = noise_jpeg(8000, 6000, 75)
    assert len(too_big) > app.state.settings.max_photo_bytes
    response = await phone.post(
        phone.url("card_photo"), files={"photo": ("big.jpg", too_big, "image/jpeg")}, htmx=True
    )
    assert response.status_code == 413
    # What htmx does with the answer: swap it where it says, as it says.
    assert response.headers["HX-Retarget"] == "#photo-pick"
    assert response.headers["HX-Reswap"] == "outerHTML"
    answer = soup(response).select_one("#photo-pick")
    assert answer is not None
    page.select_one(response.headers["HX-Retarget"]).replace_with(answer)

    section = page.select_one("#card-photo")
    alert = section.select_one("[role=alert]")
    assert alert is not None, "said in the photo section, where the photo was chosen"
    said = words(alert)
    size = re.search(r"That photo is ([\d.]+) MB: photos can be up to 20 MB\.", said)
    assert size is not None, said
    assert len(too_big) / MIB <= float(size[1]) < len(too_big) / MIB + 0.2
    assert "form" not in said
    # The choice is cleared: a new, empty file input, still labelled, still in the form.
    chosen = section.select_one("form input[type=file]#photo")
    assert chosen is not None and chosen.get("aria-describedby") == alert["id"]
    assert section.select_one("label[for=photo]") is not None
    # The photo on the card is the one it had, shown and saved.
    assert section.select_one(f"img[src$='{key}']") is not None
    assert (await saved_photo(pool))[0] == key
    assert await pool.fetchval("SELECT count(*) FROM photos") == 1


async def test_without_javascript_the_page_says_it_of_the_photo(new_phone, pool, app):
    phone = await new_phone()
    _, key = await card_page_with_a_photo(phone, pool)
    too_big = b"\xff\xd8\xff" + b"\x00" * (app.state.settings.max_photo_bytes + 1)
    response = await phone.post(
        phone.url("card_photo"), files={"photo": ("big.jpg", too_big, "image/jpeg")}
    )
    assert response.status_code == 413
    said = words(soup(response))
    assert "That photo is 20.1 MB: photos can be up to 20 MB" in said
    assert (await saved_photo(pool))[0] == key


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-form"])
async def test_a_png_over_8_mb_is_refused_before_it_is_decoded(new_phone, pool, htmx):
    phone = await new_phone()
    _, key = await card_page_with_a_photo(phone, pool)
    out = io.BytesIO()
    Image.frombytes("RGB", (1800, 1800), os.urandom(1800 * 1800 * 3)).save(out, "PNG")
    assert len(out.getvalue()) > photos.MAX_OTHER_BYTES
    response = await phone.post(
        phone.url("card_photo"),
        files={"photo": ("screen.png", out.getvalue(), "image/png")},
        htmx=htmx,
    )
    assert response.status_code == 422
    alert = soup(response).select_one("#card-photo [role=alert]")
    assert alert is not None
    assert "a PNG, WebP or GIF can be up to 8 MB" in words(alert)
    assert (await saved_photo(pool))[0] == key
