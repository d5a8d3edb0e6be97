"""Photo uploads are limited per account and per address: past it, a readable 429 where the
photo is chosen, counted before the file is decoded, and the photo on the card kept."""

from __future__ import annotations

import dataclasses
import io

import pytest
from PIL import Image

from server.cards import photos
from server.web import limits
from tests.limit_counts import says_wait
from tests.phone import soup


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(limits, "PAUSE_BEFORE_429", 0.0)


def photo_jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


async def saved_photo(pool, name: str = "Dana Lee") -> tuple[str, bytes]:
    row = await pool.fetchrow(
        "SELECT c.photo_key, p.jpeg FROM cards c JOIN photos p ON p.key = c.photo_key"
        " WHERE c.name = $1",
        name,
    )
    return row["photo_key"], row["jpeg"]


def refusal(response) -> str:
    alert = soup(response).select_one("#card-photo [role=alert]")
    assert alert is not None
    return alert.get_text()


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-form"])
async def test_the_31st_upload_in_an_hour_is_refused_and_the_photo_kept(
    new_phone, pool, monkeypatch, htmx
):
    decoded = []
    process = photos.process
    monkeypatch.setattr(photos, "process", lambda source: decoded.append(1) or process(source))
    dana = await new_phone()
    await dana.make_card()
    for _ in range(30):
        upload = await dana.post(
            dana.url("card_photo"), files={"photo": ("me.jpg", photo_jpeg("red"), "image/jpeg")}
        )
        assert upload.status_code == 303
    before = await saved_photo(pool)

    response = await dana.post(
        dana.url("card_photo"),
        files={"photo": ("me.jpg", photo_jpeg("blue"), "image/jpeg")},
        htmx=htmx,
    )

    assert response.status_code == 429
    says_wait(response, photos.UPLOADS_PER_ACCOUNT.says)
    said = refusal(response)
    assert "You have uploaded 30 photos in the last hour" in said
    assert "Your card keeps the photo it has: please try again in " in said
    if not htmx:
        assert "<html" in response.text  # the whole card page, with the message in place
    assert len(decoded) == 30  # the refused one was never decoded
    assert await saved_photo(pool) == before
    assert await pool.fetchval("SELECT count(*) FROM photos") == 1
    page = await dana.get(dana.url("card"))
    assert before[0] in page.text


async def test_one_address_sending_from_many_accounts_is_refused(new_phone, pool, monkeypatch):
    monkeypatch.setattr(
        photos,
        "UPLOADS_PER_ADDRESS",
        dataclasses.replace(photos.UPLOADS_PER_ADDRESS, most=2),
    )
    phones = []
    for name in ("Dana Lee", "Mia Chen", "Sam Ortiz"):
        phone = await new_phone()
        await phone.make_card(name=name)
        phones.append(phone)
    for phone in phones[:2]:
        upload = await phone.post(
            phone.url("card_photo"), files={"photo": ("me.jpg", photo_jpeg("red"), "image/jpeg")}
        )
        assert upload.status_code == 303

    sam = phones[2]
    response = await sam.post(
        sam.url("card_photo"),
        files={"photo": ("me.jpg", photo_jpeg("red"), "image/jpeg")},
        htmx=True,
    )

    says_wait(response, photos.UPLOADS_PER_ADDRESS.says, within=600)
    assert "Many photos were uploaded from your network just now" in refusal(response)
    assert await pool.fetchval("SELECT photo_key FROM cards WHERE name = 'Sam Ortiz'") is None
