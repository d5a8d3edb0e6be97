"""Card photos: a small upright square JPEG, no metadata; anything else is refused clearly."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server.cards import photos


def jpeg(width: int, height: int, *, orientation: int | None = None, gps: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), "white")
    image.paste((200, 0, 0), (0, 0, width // 2, height))  # left half red
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_any_photo_becomes_a_small_square_without_metadata():
    out = Image.open(io.BytesIO(photos.process(jpeg(1200, 800, gps=True))))
    assert out.format == "JPEG"
    assert out.size == (photos.SIZE, photos.SIZE)
    assert not out.getexif()
    assert "icc_profile" not in out.info


def test_the_cameras_rotation_is_applied_before_its_exif_is_dropped():
    # Orientation 6: the phone was held upright, so the stored image is lying on its side;
    # upright, the red half that was on the left is at the top.
    out = Image.open(io.BytesIO(photos.process(jpeg(800, 600, orientation=6))))
    top = out.getpixel((photos.SIZE // 2, 10))
    bottom = out.getpixel((photos.SIZE // 2, photos.SIZE - 10))
    assert top[0] > 150 and top[1] < 80, top
    assert bottom[0] > 200 and bottom[1] > 200, bottom


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a photo"),
        (b"%PDF-1.7 not a photo", "not a photo we can read"),
        (jpeg(100, 100)[:200], "not a photo we can read"),
    ],
)
def test_what_is_not_a_photo_is_refused_clearly(data, message):
    with pytest.raises(photos.NotAnImage, match=message):
        photos.process(data)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 100 * 100)
    with pytest.raises(photos.NotAnImage, match="too large"):
        photos.process(jpeg(200, 200))
