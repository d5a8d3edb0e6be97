"""Uploading hostile images as a card photo: a readable 422 in the page, the photo kept."""

from __future__ import annotations

import asyncio
import io
import re

import pytest
from PIL import Image, ImageStat

from bench import _images
from server.cards import photos
from tests.phone import soup, text_of

REFUSED = {upload.filename: upload for upload in _images.HOSTILE if upload.refused}


@pytest.fixture(scope="module")
def hostile_files() -> dict[str, bytes]:
    """Each refused hostile image, made once (the 8944 x 8944 PNG takes a second or two)."""
    return {name: upload.make() for name, upload in REFUSED.items()}


def photo_jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


async def saved_photo(pool) -> tuple[str, bytes]:
    row = await pool.fetchrow(
        "SELECT c.photo_key, p.jpeg FROM cards c JOIN photos p ON p.key = c.photo_key"
    )
    return row["photo_key"], row["jpeg"]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-form"])
@pytest.mark.parametrize("filename", sorted(REFUSED))
async def test_each_hostile_image_is_refused_in_the_page_and_the_photo_kept(
    new_phone, pool, hostile_files, filename, htmx
):
    dana = await new_phone()
    await dana.make_card()
    upload = await dana.post(
        dana.url("card_photo"), files={"photo": ("me.jpg", photo_jpeg(), "image/jpeg")}
    )
    assert upload.status_code == 303
    before = await saved_photo(pool)

    response = await dana.post(
        dana.url("card_photo"),
        files={"photo": (filename, hostile_files[filename], "application/octet-stream")},
        htmx=htmx,
    )

    assert response.status_code == 422
    alert = soup(response).select_one("#card-photo [role=alert]")
    assert alert is not None
    assert re.search("too large|too long|not a photo we can read", alert.get_text())
    if not htmx:
        assert "<html" in response.text  # the whole card page, with the message in place
    assert await saved_photo(pool) == before
    assert await pool.fetchval("SELECT count(*) FROM photos") == 1
    page = await dana.get(dana.url("card"))
    assert page.status_code == 200


async def test_an_eps_file_is_never_opened(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    response = await dana.post(
        dana.url("card_photo"),
        files={"photo": ("photo.eps", _images.EPS, "image/jpeg")},
        htmx=True,
    )
    assert response.status_code == 422
    assert "Try a JPEG, PNG, WebP or GIF" in text_of(response)
    assert await pool.fetchval("SELECT count(*) FROM photos") == 0


async def test_the_largest_accepted_png_is_taken(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    response = await dana.post(
        dana.url("card_photo"),
        files={"photo": ("cap.png", _images.png(4000, 4000, mode="RGBA"), "image/png")},
        htmx=True,
    )
    assert response.status_code == 200
    key, jpeg = await saved_photo(pool)
    assert Image.open(io.BytesIO(jpeg)).size == (photos.SIZE, photos.SIZE)
    assert soup(response).select_one(f"img[src$='{key}']") is not None


async def test_uploads_at_once_are_decoded_one_at_a_time(new_phone, pool, monkeypatch):
    # Spy on the decoder (the real one runs) to see how many decodes overlap.
    decoding, most = 0, 0
    real = photos.process

    def counting(source):
        nonlocal decoding, most
        decoding += 1
        most = max(most, decoding)
        try:
            return real(source)
        finally:
            decoding -= 1

    monkeypatch.setattr(photos, "process", counting)
    phones = [await new_phone() for _ in range(4)]
    for n, phone in enumerate(phones):
        await phone.make_card(name=f"Person {n}", email=f"p{n}@example.com")
    big = _images.png(3000, 3000, mode="RGBA")
    answers = await asyncio.gather(
        *(
            phone.post(phone.url("card_photo"), files={"photo": ("a.png", big, "image/png")})
            for phone in phones
        )
    )
    assert [a.status_code for a in answers] == [303] * 4
    assert most == 1
    assert await pool.fetchval("SELECT count(*) FROM photos") == 4


async def upload(dana, data: bytes, filename: str, kind: str):  # type: ignore[no-untyped-def]
    return await dana.post(
        dana.url("card_photo"), files={"photo": (filename, data, kind)}, htmx=True
    )


def brightness(jpeg: bytes) -> float:
    return float(ImageStat.Stat(Image.open(io.BytesIO(jpeg)).convert("L")).mean[0])


async def test_a_dark_16_bit_greyscale_png_stays_dark(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    # A scanner's or an editor's 16-bit grey: 3000 of 65535 is nearly black.
    dark = Image.new("I;16", (900, 700), 3000)
    out = io.BytesIO()
    dark.save(out, "PNG")
    assert Image.open(io.BytesIO(out.getvalue())).mode == "I;16"

    response = await upload(dana, out.getvalue(), "scan.png", "image/png")

    assert response.status_code == 200
    _, jpeg = await saved_photo(pool)
    assert brightness(jpeg) < 30


def jpeg_with_damaged_exif() -> bytes:
    """A phone photo whose EXIF block (APP1) is damaged: its TIFF header's byte order is
    neither "II" nor "MM"."""
    image = Image.new("RGB", (1200, 800), (30, 60, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: held upright
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = bytearray(out.getvalue())
    tiff = data.index(b"Exif\x00\x00") + 6
    data[tiff : tiff + 2] = b"XX"
    return bytes(data)


async def test_a_jpeg_with_a_damaged_exif_block_is_taken_unrotated(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()

    response = await upload(dana, jpeg_with_damaged_exif(), "me.jpg", "image/jpeg")

    assert response.status_code == 200
    assert soup(response).select_one("#card-photo [role=alert]") is None
    key, jpeg = await saved_photo(pool)
    assert soup(response).select_one(f"#card-photo img[src$='{key}']") is not None
    photo = Image.open(io.BytesIO(jpeg))
    assert photo.size == (photos.SIZE, photos.SIZE)
    assert not photo.getexif()
    red, green, blue = photo.convert("RGB").getpixel((photos.SIZE // 2, photos.SIZE // 2))
    assert blue > 150 and red < 80, (red, green, blue)
