"""A JPEG made of one tiny scan repeated hundreds of times: libjpeg decodes every scan over
the whole image, so it is refused before decoding, in words, and the photo kept."""

from __future__ import annotations

import io

from PIL import Image

from server.cards import photos
from tests.cards.test_photo_uploads import photo_jpeg, saved_photo, upload
from tests.phone import soup


def _segments(data: bytes) -> list[tuple[int, bytes]]:
    """A JPEG's marker segments after SOI, each scan with its entropy-coded data."""
    position, segments = 2, []
    while position < len(data):
        marker = data[position + 1]
        if marker == 0xD9:
            segments.append((marker, data[position:]))
            break
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:
            end = data.index(b"\xff", end)
            while data[end + 1] == 0x00 or 0xD0 <= data[end + 1] <= 0xD7:
                end = data.index(b"\xff", end + 2)
        segments.append((marker, data[position:end]))
        position = end
    return segments


def scan_bomb(scans: int, size: int = 1024, app1: bytes = b"") -> bytes:
    """A grey progressive JPEG whose smallest AC scan is repeated to make ``scans`` scans in
    all, with ``app1`` as an APP1 segment after SOI."""
    out = io.BytesIO()
    Image.new("L", (size, size), 128).save(out, "JPEG", progressive=True, quality=90)
    segments = _segments(out.getvalue())
    places = [i for i, (marker, _) in enumerate(segments) if marker == 0xDA]
    ac = [i for i in places if segments[i][1][4 + 2 + 2 * segments[i][1][4]] > 0]  # Ss > 0
    smallest = min(ac, key=lambda i: len(segments[i][1]))
    repeated = segments[smallest][1] * (scans - len(places))
    header = b"\xff\xe1" + (len(app1) + 2).to_bytes(2, "big") + app1 if app1 else b""
    parts = [segment for _, segment in segments]
    return (
        b"\xff\xd8"
        + header
        + b"".join(parts[: smallest + 1])
        + repeated
        + b"".join(parts[smallest + 1 :])
    )


async def test_a_jpeg_of_hundreds_of_scans_is_refused_in_words_and_the_photo_kept(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    assert (await upload(dana, photo_jpeg(), "me.jpg", "image/jpeg")).status_code == 200
    before = await saved_photo(pool)

    response = await upload(dana, scan_bomb(400), "me.jpg", "image/jpeg")

    assert response.status_code == 422
    alert = soup(response).select_one("#card-photo [role=alert]")
    assert alert is not None
    assert "too many passes" in alert.get_text()
    assert "Save it again" in alert.get_text()
    assert await saved_photo(pool) == before
    assert await pool.fetchval("SELECT count(*) FROM photos") == 1


def test_a_progressive_jpeg_of_up_to_the_cap_of_scans_is_taken():
    assert Image.open(io.BytesIO(photos.process(scan_bomb(photos.MAX_JPEG_SCANS)))).size == (
        photos.SIZE,
        photos.SIZE,
    )


def test_start_of_scan_bytes_inside_an_app_segment_are_not_scans():
    # EXIF holds a thumbnail JPEG, XMP and ICC any bytes: FF DA there is data, not a scan.
    photo = scan_bomb(10, app1=b"Exif\x00\x00" + b"\xff\xda\x00\x08" * 500)
    assert Image.open(io.BytesIO(photos.process(photo))).size == (photos.SIZE, photos.SIZE)
